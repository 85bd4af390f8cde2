/**
 * HAProxy from Debian's packages in front of proxy instances, run by a test on
 * a free port with the configuration that docs/deploy.md shows
 * (examples/haproxy/haproxy.cfg, addresses from its environment), never as a
 * system service. A second configuration file adds only what the test reads:
 * the runtime API socket (`show stat`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { REPO_ROOT } from './ensure-build.ts';
import { until } from './redis-processes.ts';

export const HAPROXY = '/usr/sbin/haproxy';
/** The configuration the deployment guide shows, run as it is. */
export const HAPROXY_CONFIG_PATH = join(REPO_ROOT, 'examples', 'haproxy', 'haproxy.cfg');
/** The server names in that configuration, in order: MCP_PROXY_1 is `proxy1`. */
export const HAPROXY_SERVER_NAMES = ['proxy1', 'proxy2', 'proxy3'] as const;

/**
 * True when HAProxy is installed. Without it the test is skipped with a loud
 * notice, except under CI=true, where that is a failure (.ci/run installs it).
 */
export function haproxyOrSkip(t: TestContext | undefined, what: string): boolean {
  if (existsSync(HAPROXY)) return true;
  if (process.env['CI'] === 'true') throw new Error(`${HAPROXY} missing, and CI=true requires it`);
  process.stderr.write(`\n!!! SKIPPED: no ${HAPROXY}; apt-get install haproxy to run ${what} !!!\n\n`);
  t?.skip(`no ${HAPROXY}`);
  return false;
}

/** One server's line of `show stat`. */
export interface ServerState {
  readonly name: string;
  /** UP, DOWN, `UP 1/2` (going down), … */
  readonly status: string;
  /** Connections open to it now. */
  readonly currentSessions: number;
}

export interface Haproxy {
  /** The frontend: the deployment's BASE_URL. */
  readonly url: string;
  readonly pid: number;
  /** Everything HAProxy wrote (its request log and its notices). */
  output(): string;
  servers(): Promise<ServerState[]>;
  /** Resolves once every named server passes its health check. */
  waitUntilUp(names: readonly string[]): Promise<void>;
  stop(): Promise<void>;
}

/** Starts HAProxy on `port` in front of `backends` (`host:port`, one per server name). */
export async function startHaproxy(port: number, backends: readonly string[]): Promise<Haproxy> {
  if (backends.length !== HAPROXY_SERVER_NAMES.length) {
    throw new Error(`the configuration names ${HAPROXY_SERVER_NAMES.length} servers`);
  }
  const directory = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-haproxy-'));
  const socketPath = join(directory, 'admin.sock');
  const extra = join(directory, 'runtime-api.cfg');
  await writeFile(extra, `global\n    stats socket ${socketPath} mode 600 level admin\n`);
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '', MCP_LB_BIND: `127.0.0.1:${port}` };
  backends.forEach((backend, index) => (env[`MCP_PROXY_${index + 1}`] = backend));
  // -db: stay in the foreground, so the test owns the process and its output.
  const child: ChildProcess = spawn(HAPROXY, ['-db', '-f', HAPROXY_CONFIG_PATH, '-f', extra], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const exited = once(child, 'exit');
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const servers = async (): Promise<ServerState[]> => parseStat(await ask(socketPath, 'show stat'));
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    await rm(directory, { recursive: true, force: true });
  };
  try {
    await until('HAProxy to open its runtime API', async () => (await servers()).length > 0, 10_000);
  } catch (error) {
    await stop();
    throw new Error(`${String(error)}\n${chunks.join('')}`);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    output: () => chunks.join(''),
    servers,
    async waitUntilUp(names) {
      await until(`HAProxy to see ${names.join(', ')} up`, async () => {
        const states = await servers();
        return names.every((name) => states.find((state) => state.name === name)?.status === 'UP');
      });
    },
    stop,
  };
}

/** One command on HAProxy's runtime API (a UNIX socket; one command per connection). */
async function ask(socketPath: string, command: string): Promise<string> {
  return await new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    const chunks: Buffer[] = [];
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.write(`${command}\n`);
  });
}

/** The backend's server lines of `show stat` CSV (`# pxname,svname,…` header). */
function parseStat(csv: string): ServerState[] {
  const [header = '', ...rows] = csv.trim().split('\n');
  const columns = header.replace(/^# /, '').split(',');
  const at = (row: string[], column: string): string => row[columns.indexOf(column)] ?? '';
  return rows
    .map((line) => line.split(','))
    .filter((row) => at(row, 'svname') !== 'FRONTEND' && at(row, 'svname') !== 'BACKEND')
    .map((row) => ({
      name: at(row, 'svname'),
      status: at(row, 'status'),
      currentSessions: Number(at(row, 'scur')),
    }));
}
