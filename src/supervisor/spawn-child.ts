import { spawn, type ChildProcess } from 'node:child_process';
import type { McpServerRunConfig } from '../config/config.ts';
import type { Logger } from '../shared/logger.ts';
import type { ProcessExit } from './exit-code.ts';
import { createLineTail, pipeChildOutput } from './pipe-child-output.ts';

const STDERR_TAIL_LINES = 20;

/** A running MCP server process and the handles the supervisor needs on it. */
export interface SupervisedChild {
  readonly pid: number;
  /** Resolves when the process itself has exited. */
  readonly exited: Promise<ProcessExit>;
  /** Resolves when the process has exited and every holder of its stdout/stderr has closed them. */
  readonly outputClosed: Promise<void>;
  /** Sends a signal to the child's whole process group, so that its own children get it too. */
  signalGroup(signal: NodeJS.Signals): void;
  /** Stops reading output that an escaped grandchild keeps open, so that `outputClosed` resolves. */
  dropOutput(): void;
  stderrTail(): readonly string[];
}

export interface SpawnChildOptions {
  readonly run: McpServerRunConfig;
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
}

/**
 * Starts the MCP server without a shell (the command is never parsed, as in
 * the Heroku proxy) as the leader of its own process group (`detached`), so
 * that one signal to `-pid` reaches everything it started. Resolves once the
 * process exists; rejects when it could not be spawned (ENOENT, EACCES, bad cwd).
 */
export async function spawnChild(options: SpawnChildOptions): Promise<SupervisedChild> {
  const { run } = options;
  const child = spawn(run.command, [...run.args], {
    ...(run.cwd === undefined ? {} : { cwd: run.cwd }),
    env: mergeEnv(options.baseEnv, run.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = await spawned(child);

  const tail = createLineTail(STDERR_TAIL_LINES);
  pipeChildOutput(child.stdout, 'stdout', { logger: options.logger, pid });
  pipeChildOutput(child.stderr, 'stderr', { logger: options.logger, pid, tail });

  const signalGroup = (signal: NodeJS.Signals): void => signalProcessGroup(pid, signal, options.logger);
  // Last resort when the proxy dies without stopping us (process.exit, uncaught
  // exception): 'exit' handlers run synchronously, so only kill() is possible.
  const killOnProxyExit = (): void => signalGroup('SIGKILL');
  process.on('exit', killOnProxyExit);

  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const outputClosed = new Promise<void>((resolve) => {
    child.once('close', () => {
      process.off('exit', killOnProxyExit);
      resolve();
    });
  });

  return {
    pid,
    exited,
    outputClosed,
    signalGroup,
    dropOutput() {
      child.stdout.destroy();
      child.stderr.destroy();
    },
    stderrTail: () => tail.lines(),
  };
}

/** MCP_SERVER_RUN_ENV_JSON wins over the proxy's environment (typically to set the child's PORT). */
function mergeEnv(
  baseEnv: Readonly<Record<string, string | undefined>>,
  overrides: Readonly<Record<string, string>>,
): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...baseEnv, ...overrides })) {
    if (value !== undefined) merged[name] = value;
  }
  return merged;
}

/** Resolves with the pid once the child has spawned; rejects when it could not be (ENOENT, EACCES). */
export async function spawned(child: ChildProcess): Promise<number> {
  return await new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    child.once('error', onError);
    child.once('spawn', () => {
      child.off('error', onError);
      // Errors after spawn (a failed kill) are reported where they happen; never crash the proxy.
      child.on('error', () => undefined);
      resolve(child.pid!);
    });
  });
}

export function signalProcessGroup(pid: number, signal: NodeJS.Signals, logger: Logger): void {
  // Windows has no process groups: there the child alone gets the signal.
  const target = process.platform === 'win32' ? pid : -pid;
  try {
    process.kill(target, signal);
  } catch (error) {
    // ESRCH: every process of the group is already gone, which is the goal.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') {
      logger.warn({ event: 'supervisor.signal_failed', err: error, pid, signal }, 'supervisor.signal_failed');
    }
  }
}
