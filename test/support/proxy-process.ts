/**
 * The proxy as operators run it: its own process (`node dist/main.js`, or the
 * sources for tests that need no build), in front of a fake IdP in this
 * process, configured only through its environment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { processGone } from './child-fixtures/process-gone.ts';
import { ensureBuild, REPO_ROOT } from './ensure-build.ts';
import { startFakeIdp, type FakeIdp } from './fake-idp.ts';
import { freePort } from './free-port.ts';
import { supervisedMcpEnv } from './test-proxy.ts';

const SOURCE_MAIN_PATH = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const BUILT_MAIN_PATH = join(REPO_ROOT, 'dist', 'main.js');

/** The log lines that name the pid of an MCP server process the proxy started (supervised, or one per stdio session). */
const MCP_SERVER_SPAWNED = new Set<unknown>(['supervisor.child_spawned', 'stdio_bridge.session_started']);

export type LogLine = Record<string, unknown>;

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ProxyProcessSetup {
  readonly idp: FakeIdp;
  readonly env: Record<string, string>;
  readonly baseUrl: string;
  /** A directory without a .env: the environment is the whole configuration. */
  readonly cwd: string;
  /** Stops the IdP and removes the directory. */
  close(): Promise<void>;
}

/**
 * The environment of a proxy in front of a fresh fake IdP and, unless `mcpEnv`
 * says otherwise (e.g. MCP_SERVER_TRANSPORT=stdio), a supervised MCP fixture server.
 */
export async function prepareProxyProcess(
  overrides: Record<string, string> = {},
  mcpEnv?: Record<string, string>,
): Promise<ProxyProcessSetup> {
  const idp = await startFakeIdp({ mode: 'oidc' });
  const dir = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-process-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  idp.redirectUris.push(`${baseUrl}/interaction/identity/callback`);
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    BASE_URL: baseUrl,
    PORT: String(port),
    LOCAL_INSECURE: 'true',
    IDENTITY_SERVER_URL: idp.issuer,
    IDENTITY_CLIENT_ID: idp.clientId,
    IDENTITY_CLIENT_SECRET: idp.clientSecret,
    IDENTITY_SCOPE: 'openid profile email',
    MCP_AUTH_PROXY_SQLITE_PATH: join(dir, 'store.sqlite'),
    LOG_LEVEL: 'info',
    // Tracing is on by default and would export to localhost:4318; tests that want spans say so.
    OTEL_SDK_DISABLED: 'true',
    ...(mcpEnv ?? supervisedMcpEnv(await freePort())),
    ...overrides,
  };
  return {
    idp,
    env,
    baseUrl,
    cwd: dir,
    close: async () => {
      await idp.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface ProxyProcess {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  /** The environment it runs with (its whole configuration). */
  readonly env: Readonly<Record<string, string>>;
  readonly lines: LogLine[];
  /** Everything written to stdout and stderr, for assertions on the reason of a failure. */
  output(): string;
  /** The first log line with this event; rejects if the process exits before writing it. */
  waitForEvent(event: string): Promise<LogLine>;
  readonly exited: Promise<ProcessExit>;
  /** SIGKILLs the proxy if it still runs, and every MCP server process it spawned that is still there. */
  dispose(): Promise<void>;
}

/** `built` runs `dist/main.js` (built first when stale), as `npm start` does; `source` runs `src/main.ts`. */
export async function spawnProxyProcess(
  setup: ProxyProcessSetup,
  entry: 'built' | 'source',
): Promise<ProxyProcess> {
  if (entry === 'built') await ensureBuild();
  const child = spawn(process.execPath, [entry === 'built' ? BUILT_MAIN_PATH : SOURCE_MAIN_PATH], {
    cwd: setup.cwd,
    env: setup.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<ProcessExit>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const listeners = new Set<() => void>();
  const read = (stream: NodeJS.ReadableStream): void => {
    createInterface({ input: stream }).on('line', (line) => {
      raw.push(line);
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        // Not a log record (a configuration problem is printed as text): kept in raw only.
      }
      for (const listener of listeners) listener();
    });
  };
  read(child.stdout);
  read(child.stderr);

  return {
    child,
    baseUrl: setup.baseUrl,
    env: setup.env,
    lines,
    output: () => raw.join('\n'),
    exited,
    waitForEvent: (event) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const found = lines.find((line) => line['event'] === event);
          if (found !== undefined) {
            listeners.delete(check);
            resolve(found);
          }
        };
        listeners.add(check);
        check();
        void exited.then((exit) => {
          check();
          listeners.delete(check);
          reject(new Error(`the proxy exited (${JSON.stringify(exit)}) before ${event}:\n${raw.join('\n')}`));
        });
      }),
    async dispose() {
      // A failed assertion must leave neither the proxy nor its MCP server behind.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      for (const line of lines) {
        const pid = MCP_SERVER_SPAWNED.has(line['event']) ? line['pid'] : undefined;
        if (typeof pid !== 'number' || (await processGone(pid))) continue;
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    },
  };
}

/** Resolves with the exit, or rejects when the process outlives the deadline (it hangs). */
export async function exitWithin(proxy: ProxyProcess, deadlineMs: number): Promise<ProcessExit> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`still running after ${deadlineMs} ms:\n${proxy.output()}`)),
      deadlineMs,
    );
  });
  try {
    return await Promise.race([proxy.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}
