/**
 * A Redis Sentinel deployment of real processes: one primary, one replica and
 * three sentinels (quorum 2), on free ports, with failure detection tuned for
 * tests (down after 500 ms); the data nodes require TEST_REDIS_PASSWORD. Start it once per test file; stop() always
 * removes everything.
 */
import type { RedisTopology } from '../../src/config/config.ts';
import {
  ask,
  EPHEMERAL_SERVER_ARGS,
  freePorts,
  RedisProcesses,
  TEST_REDIS_PASSWORD,
  until,
} from './redis-processes.ts';

export const SENTINEL_MASTER_NAME = 'proxy-test-primary';
/** How long sentinels wait without a reply before they call the primary down. */
export const SENTINEL_DOWN_AFTER_MS = 500;
const SENTINEL_FAILOVER_TIMEOUT_MS = 2_000;
const SENTINEL_COUNT = 3;

export interface RedisSentinel {
  /** The configuration the proxy reads (MCP_AUTH_PROXY_REDIS_SENTINELS, _SENTINEL_MASTER). */
  readonly env: Readonly<Record<string, string>>;
  readonly topology: Extract<RedisTopology, { kind: 'sentinel' }>;
  /** The port of the primary the sentinels currently name. */
  primaryPort(): Promise<number>;
  /** SIGKILLs the current primary and resolves with its port. */
  killPrimary(): Promise<number>;
  /** Resolves once every sentinel names a primary other than `formerPort` and it answers as one. */
  waitForNewPrimary(formerPort: number): Promise<number>;
  stop(): Promise<void>;
}

const fields = (reply: unknown): Map<string, string> => {
  const flat = Array.isArray(reply) ? reply.map(String) : [];
  const map = new Map<string, string>();
  for (let index = 0; index + 1 < flat.length; index += 2) map.set(flat[index] ?? '', flat[index + 1] ?? '');
  return map;
};

export async function startRedisSentinel(): Promise<RedisSentinel> {
  const processes = await RedisProcesses.create('sentinel');
  try {
    const [primary = 0, replica = 0, ...sentinelPorts] = await freePorts(2 + SENTINEL_COUNT);
    processes.startDataNode(primary, ['--port', String(primary), ...EPHEMERAL_SERVER_ARGS]);
    processes.startDataNode(replica, [
      '--port',
      String(replica),
      ...EPHEMERAL_SERVER_ARGS,
      '--replicaof',
      '127.0.0.1',
      String(primary),
    ]);
    await until('the replica to sync', async () =>
      String(await ask(replica, 'info', 'replication')).includes('master_link_status:up'),
    );
    for (const port of sentinelPorts) {
      // A sentinel rewrites its configuration file: one per sentinel, in the temporary directory.
      const config = await processes.writeConfig(`sentinel-${port}.conf`, [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${processes.directory}`,
        `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${primary} 2`,
        `sentinel auth-pass ${SENTINEL_MASTER_NAME} ${TEST_REDIS_PASSWORD}`,
        `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} ${SENTINEL_DOWN_AFTER_MS}`,
        `sentinel failover-timeout ${SENTINEL_MASTER_NAME} ${SENTINEL_FAILOVER_TIMEOUT_MS}`,
        `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
      ]);
      processes.start(port, [config, '--sentinel']);
    }
    // A failover needs a quorum that knows the replica and the other sentinels (hello messages).
    for (const port of sentinelPorts) {
      await until(`sentinel ${port} to know the replica and its peers`, async () => {
        const master = fields(await ask(port, 'sentinel', 'master', SENTINEL_MASTER_NAME));
        return (
          Number(master.get('num-slaves')) >= 1 &&
          Number(master.get('num-other-sentinels')) === SENTINEL_COUNT - 1
        );
      });
    }

    const primaryPort = async (): Promise<number> => {
      const reply = await ask(
        sentinelPorts[0] ?? 0,
        'sentinel',
        'get-master-addr-by-name',
        SENTINEL_MASTER_NAME,
      );
      return Number(Array.isArray(reply) ? reply[1] : Number.NaN);
    };
    const topology = {
      kind: 'sentinel' as const,
      sentinels: sentinelPorts.map((port) => ({ host: '127.0.0.1', port })),
      masterName: SENTINEL_MASTER_NAME,
      sentinelAuth: { username: undefined, password: undefined },
      auth: { username: undefined, password: TEST_REDIS_PASSWORD },
      tls: false,
      natMap: {},
    };
    return {
      env: {
        MCP_AUTH_PROXY_REDIS_SENTINELS: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(','),
        MCP_AUTH_PROXY_REDIS_SENTINEL_MASTER: SENTINEL_MASTER_NAME,
        MCP_AUTH_PROXY_REDIS_PASSWORD: TEST_REDIS_PASSWORD,
      },
      topology,
      primaryPort,
      async killPrimary() {
        const port = await primaryPort();
        await processes.kill(port);
        return port;
      },
      async waitForNewPrimary(formerPort) {
        let elected = formerPort;
        await until(
          'the sentinels to promote the replica',
          async () => {
            const named = await Promise.all(
              sentinelPorts.map(async (port) => {
                const reply = await ask(port, 'sentinel', 'get-master-addr-by-name', SENTINEL_MASTER_NAME);
                return Number(Array.isArray(reply) ? reply[1] : Number.NaN);
              }),
            );
            elected = named[0] ?? formerPort;
            if (elected === formerPort || named.some((port) => port !== elected)) return false;
            return String(await ask(elected, 'role')).startsWith('master');
          },
          60_000,
        );
        return elected;
      },
      stop: () => processes.stop(),
    };
  } catch (error) {
    await processes.stop();
    throw error;
  }
}
