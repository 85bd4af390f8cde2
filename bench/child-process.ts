/**
 * The benchmark's processes: each target runs in its own process, so that
 * its CPU time and memory can be read from /proc and nothing the load
 * generator does is counted against it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';

/** How long a child gets to exit after SIGTERM before it is killed. */
const STOP_GRACE_MS = 10_000;
const READY_TIMEOUT_MS = 30_000;
const READY_POLL_INTERVAL_MS = 5;

export interface BenchChild {
  readonly name: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** SIGTERM, then SIGKILL after the grace period; resolves when the process is gone. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// A benchmark that fails half-way must not leave servers behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function track(name: string, child: ChildProcess): BenchChild {
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  running.add(child);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  }).then(() => {
    running.delete(child);
  });
  return {
    name,
    pid: child.pid,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * A command that runs Node under it, e.g. `['valgrind', '--tool=callgrind']`
 * (bench/count-instructions.ts); empty = Node itself.
 */
export type Launcher = readonly string[];

/** The command and arguments that run `node <args>` under the launcher. */
function launch(launcher: Launcher, args: readonly string[]): [string, string[]] {
  const [command, ...before] = launcher;
  return command === undefined
    ? [process.execPath, [...args]]
    : [command, [...before, process.execPath, ...args]];
}

/**
 * Starts a helper (`mcp-echo-server.ts`, `bare-proxy.ts`) that prints
 * `{"port":N}` on its first line once it listens.
 */
export async function startReportingChild(
  name: string,
  args: readonly string[],
  launcher: Launcher = [],
): Promise<{ child: BenchChild; port: number }> {
  const child = spawn(...launch(launcher, args), { stdio: ['ignore', 'pipe', 'inherit'] });
  const tracked = track(name, child);
  const lines = createInterface({ input: child.stdout });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`${name} exited with ${String(code)} before it listened`);
  });
  const first = once(lines, 'line').then(([line]) => JSON.parse(line as string) as { port: number });
  const { port } = await Promise.race([first, exited]);
  lines.close();
  child.stdout.resume();
  return { child: tracked, port };
}

export interface ServiceChildOptions {
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Where its stdout and stderr go (the proxy's log lines), as production sends them to a log drain. */
  readonly logPath: string;
  /** Polled until it answers 200. */
  readonly readyUrl: string;
  /** Runs Node under this command (empty by default). */
  readonly launcher?: Launcher | undefined;
  /** How long it may take to answer (default 30 s; a process under valgrind needs minutes). */
  readonly readyTimeoutMs?: number | undefined;
}

/** Starts a server and measures the time from spawn() to its first 200 at `readyUrl`. */
export async function startServiceChild(
  name: string,
  options: ServiceChildOptions,
): Promise<{ child: BenchChild; readyMs: number }> {
  const log = openSync(options.logPath, 'a');
  const startedMs = performance.now();
  const child = spawn(...launch(options.launcher ?? [], options.args), {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const tracked = track(name, child);
  const readyTimeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
  const giveUpMs = startedMs + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited before it was ready:\n${tail(options.logPath)}`);
    }
    if (await answers(options.readyUrl)) return { child: tracked, readyMs: performance.now() - startedMs };
    if (performance.now() > giveUpMs) {
      await tracked.stop();
      throw new Error(`${name} was not ready after ${readyTimeoutMs} ms:\n${tail(options.logPath)}`);
    }
    await delay(READY_POLL_INTERVAL_MS);
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** The last lines of a log file, for an error message. */
export function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
