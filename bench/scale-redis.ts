/**
 * The scale benchmark's own redis-server: a free port, no RDB, no AOF, in a
 * temporary folder, never the shared one on 6379. Beside it, an admin
 * connection that reads what the proxy costs Redis: memory (`INFO memory`,
 * `MEMORY USAGE` per key over a SCAN), CPU (`INFO cpu`), and every command the
 * proxy sends (`MONITOR`, which also shows the commands a Lua script runs).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import {
  EPHEMERAL_SERVER_ARGS,
  RedisProcesses,
  REDIS_SERVER,
  until,
} from '../test/support/redis-processes.ts';
import { freePort } from '../test/support/free-port.ts';

const run = promisify(execFile);

/** The key prefix the benchmark gives the proxy (its default). */
export const BENCH_KEY_PREFIX = 'oidc:';

/** One command the proxy sent, as MONITOR reports it. */
export interface SeenCommand {
  readonly name: string;
  /** The first key, without the key prefix (undefined for PING and the like). */
  readonly key: string | undefined;
  /** True when a Lua script ran it (it costs no round trip of its own). */
  readonly inScript: boolean;
}

export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  readonly version: string;
  /** INFO memory `used_memory`. */
  usedMemoryBytes(): Promise<number>;
  /** INFO clients `connected_clients`. */
  connectedClients(): Promise<number>;
  /** INFO cpu: user + system seconds the server has used. */
  cpuSeconds(): Promise<number>;
  /** MEMORY USAGE (all samples) and PTTL of every key under the prefix, by SCAN. */
  scanKeys(): Promise<ScannedKey[]>;
  memoryUsage(key: string): Promise<number>;
  /** SCARD of a key under the prefix. */
  setSize(key: string): Promise<number>;
  /** SMEMBERS of a key under the prefix (the members as stored: store keys, without the prefix). */
  setMembers(key: string): Promise<string[]>;
  /**
   * EXISTS of a key under the prefix. Unlike MEMORY USAGE, it treats an expired key that Redis has
   * not reclaimed yet as gone (and reclaims it).
   */
  exists(key: string): Promise<boolean>;
  /** Records the proxy's commands until the returned function is called, which yields them. */
  record(): Promise<() => Promise<SeenCommand[]>>;
  /** redis-benchmark's GET and SET rates on this server (50 clients, no pipelining). */
  benchmark(requests: number): Promise<{ getPerSecond: number; setPerSecond: number }>;
  stop(): Promise<void>;
}

export interface ScannedKey {
  /** Without the key prefix. */
  readonly key: string;
  readonly bytes: number;
  /** Milliseconds to live, or -1 for none. */
  readonly ttlMs: number;
}

/** Commands of our own instruments, never counted against the proxy. */
const INSTRUMENT_COMMANDS = new Set([
  'info',
  'config',
  'memory',
  'scan',
  'pttl',
  'monitor',
  'client',
  'dbsize',
]);

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const processes = await RedisProcesses.create('scale-bench');
  const port = await freePort();
  processes.start(port, ['--port', String(port), ...EPHEMERAL_SERVER_ARGS]);
  const admin = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
  admin.on('error', () => undefined);
  try {
    await until('the private redis-server', async () => {
      await admin.connect().catch(() => undefined);
      return (await admin.ping()) === 'PONG';
    });
  } catch (error) {
    await processes.stop();
    throw error;
  }
  const info = async (section: string, field: string): Promise<string> => {
    const text = await admin.info(section);
    const match = new RegExp(`^${field}:(.*)$`, 'm').exec(text);
    if (match?.[1] === undefined) throw new Error(`no ${field} in INFO ${section}`);
    return match[1].trim();
  };
  const memoryUsage = async (key: string) => Number(await admin.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    version: await info('server', 'redis_version'),
    usedMemoryBytes: async () => Number(await info('memory', 'used_memory')),
    connectedClients: async () => Number(await info('clients', 'connected_clients')),
    cpuSeconds: async () =>
      Number(await info('cpu', 'used_cpu_user')) + Number(await info('cpu', 'used_cpu_sys')),
    memoryUsage,
    setSize: async (key) => await admin.scard(BENCH_KEY_PREFIX + key),
    setMembers: async (key) => await admin.smembers(BENCH_KEY_PREFIX + key),
    exists: async (key) => (await admin.exists(BENCH_KEY_PREFIX + key)) === 1,
    async scanKeys() {
      const found: ScannedKey[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await admin.scan(cursor, 'MATCH', `${BENCH_KEY_PREFIX}*`, 'COUNT', 1000);
        cursor = next;
        for (const key of keys) {
          const [bytes, ttlMs] = await Promise.all([memoryUsage(key), admin.pttl(key)]);
          found.push({ key: key.slice(BENCH_KEY_PREFIX.length), bytes, ttlMs });
        }
      } while (cursor !== '0');
      return found;
    },
    async record() {
      const monitor = await admin.duplicate().monitor();
      const seen: SeenCommand[] = [];
      monitor.on('monitor', (_time: string, args: string[], source: string) => {
        const name = (args[0] ?? '').toLowerCase();
        if (INSTRUMENT_COMMANDS.has(name)) return;
        seen.push({ name, key: firstKey(name, args), inScript: source === 'lua' });
      });
      return async () => {
        // MONITOR lines arrive after the commands ran; a PING through it marks the end of the stream.
        await admin.ping();
        await new Promise((resolve) => setTimeout(resolve, 100));
        monitor.disconnect();
        return seen;
      };
    },
    async benchmark(requests) {
      const benchmarkPath = REDIS_SERVER.replace(/redis-server$/, 'redis-benchmark');
      const { stdout } = await run(benchmarkPath, [
        ...['-p', String(port), '-t', 'get,set', '-n', String(requests), '-c', '50', '-q'],
      ]);
      const rate = (name: string) =>
        Number(new RegExp(`${name}: ([\\d.]+) requests per second`).exec(stdout)?.[1] ?? NaN);
      await admin.flushall();
      return { getPerSecond: rate('GET'), setPerSecond: rate('SET') };
    },
    async stop() {
      admin.disconnect();
      await processes.stop();
    },
  };
}

/** The key a command names, without the prefix: EVALSHA/EVAL carry it after the key count. */
function firstKey(name: string, args: readonly string[]): string | undefined {
  const raw = name === 'evalsha' || name === 'eval' ? args[3] : name === 'publish' ? undefined : args[1];
  if (raw === undefined || !raw.startsWith(BENCH_KEY_PREFIX)) return undefined;
  return raw.slice(BENCH_KEY_PREFIX.length);
}
