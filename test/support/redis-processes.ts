/**
 * Private redis-server processes for tests that need a topology of their own
 * (Sentinel, Cluster): started on free ports in a temporary directory, without
 * persistence, and always killed and removed again. The shared Redis on 6379
 * is never touched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './free-port.ts';

export const REDIS_SERVER = '/usr/bin/redis-server';
export const REDIS_CLI = '/usr/bin/redis-cli';

/** Server settings for fast, disposable test servers: no RDB, no AOF, no delay before a full sync. */
export const EPHEMERAL_SERVER_ARGS: readonly string[] = [
  '--bind',
  '127.0.0.1',
  '--save',
  '',
  '--appendonly',
  'no',
  '--repl-diskless-sync-delay',
  '0',
];

/**
 * True when redis-server and redis-cli are installed. Without them the test is
 * skipped with a loud notice, except under CI=true, where that is a failure:
 * CI must never silently skip the Sentinel and Cluster suites.
 */
export function redisBinariesOrSkip(t: TestContext, what: string): boolean {
  const missing = [REDIS_SERVER, REDIS_CLI].filter((path) => !existsSync(path));
  if (missing.length === 0) return true;
  if (process.env['CI'] === 'true') throw new Error(`${missing.join(', ')} missing, and CI=true requires it`);
  process.stderr.write(
    `\n!!! SKIPPED: no ${missing.join(', ')}; install redis-server to run ${what} !!!\n\n`,
  );
  t.skip(`no ${missing.join(', ')}`);
  return false;
}

/** Distinct free ports (a Cluster node needs two: clients and the cluster bus). */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** Polls until `probe` is true; background work (replication, elections) has no event to await. */
export async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > giveUpAt) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/**
 * The password the data nodes of the test topologies require (`requirepass`, and `masterauth` for
 * their replication), so that MCP_AUTH_PROXY_REDIS_PASSWORD is exercised; sentinels require none.
 */
export const TEST_REDIS_PASSWORD = 'test-topology-password';

/** The arguments that make a data node require TEST_REDIS_PASSWORD and use it towards its primary. */
export const PASSWORD_ARGS: readonly string[] = [
  '--requirepass',
  TEST_REDIS_PASSWORD,
  '--masterauth',
  TEST_REDIS_PASSWORD,
];

/** The ports of data nodes, which require TEST_REDIS_PASSWORD. */
const dataNodePorts = new Set<number>();

/** One command to one server on a short-lived connection; rejects when it cannot answer. */
export async function ask(port: number, command: string, ...args: string[]): Promise<unknown> {
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    ...(dataNodePorts.has(port) ? { password: TEST_REDIS_PASSWORD } : {}),
    lazyConnect: true,
    // RESP2: SENTINEL and CLUSTER replies stay flat arrays and text.
    protocol: 2,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1_000,
    commandTimeout: 1_000,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await redis.call(command, args);
  } finally {
    redis.disconnect();
  }
}

/** A group of redis-server processes sharing one temporary directory. */
export class RedisProcesses {
  readonly directory: string;
  readonly #processes = new Map<number, ChildProcess>();
  readonly #killOnExit = (): void => this.#killAll();

  private constructor(directory: string) {
    this.directory = directory;
    // The last resort when the test process ends without its after() hook (a crash).
    process.once('exit', this.#killOnExit);
  }

  static async create(label: string): Promise<RedisProcesses> {
    return new RedisProcesses(await mkdtemp(join(tmpdir(), `mcp-auth-proxy-${label}-`)));
  }

  /** Starts a data node (it requires TEST_REDIS_PASSWORD) listening on `port`. */
  startDataNode(port: number, args: readonly string[]): void {
    dataNodePorts.add(port);
    this.start(port, [...args, ...PASSWORD_ARGS]);
  }

  /** Starts a redis-server listening on `port` with the given arguments. */
  start(port: number, args: readonly string[]): void {
    const child = spawn(REDIS_SERVER, [...args], { cwd: this.directory, stdio: 'ignore' });
    this.#processes.set(port, child);
  }

  /** Writes a configuration file into the group's directory and returns its path. */
  async writeConfig(name: string, lines: readonly string[]): Promise<string> {
    const path = join(this.directory, name);
    await writeFile(path, `${lines.join('\n')}\n`);
    return path;
  }

  /** SIGKILL, as a crash: no shutdown, no last write. */
  async kill(port: number): Promise<void> {
    const child = this.#processes.get(port);
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  /** Kills every process and removes the directory. */
  async stop(): Promise<void> {
    await Promise.all([...this.#processes.keys()].map((port) => this.kill(port)));
    process.removeListener('exit', this.#killOnExit);
    await rm(this.directory, { recursive: true, force: true });
  }

  #killAll(): void {
    for (const child of this.#processes.values()) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }
}
