import type { RedisTopology } from '../../config/config.ts';
import { systemClock, type Clock } from '../../shared/clock.ts';
import type { Logger } from '../../shared/logger.ts';
import { DependencyUnavailableError } from '../../http-kit/dependency-unavailable-error.ts';
import type { KeyValueStore } from '../key-value-store.ts';
import { wholeAmount, wholeTtlMs, wholeWindowMs } from '../ttl.ts';
import { COMMAND_TIMEOUT_MS, createCommandClient, type RedisCommandClient } from './redis-clients.ts';
import { closeClient, firstConnection, watchOutages } from './redis-connection-lifecycle.ts';
import { redisLocation } from './redis-location.ts';
import { scanKeys } from './redis-scan.ts';
import { ADD_TO_SET_LUA, COMPARE_AND_SET_LUA, INCREMENT_IN_WINDOW_LUA } from './redis-scripts.ts';
import { REPLICA_ACK_TIMEOUT_MS, ReplicaAcknowledgement } from './replica-acknowledgement.ts';

export {
  CONNECT_TIMEOUT_MS,
  COMMAND_TIMEOUT_MS,
  RECONNECT_FIRST_DELAY_MS,
  RECONNECT_MAX_DELAY_MS,
} from './redis-clients.ts';

/**
 * No store call takes longer than this, whatever the client does meanwhile: a Cluster client
 * retries a command across redirections and failovers (up to 16 times), each try bounded by
 * COMMAND_TIMEOUT_MS, which alone could add up to half a minute.
 */
export const OPERATION_DEADLINE_MS = COMMAND_TIMEOUT_MS + 1_000;

export interface RedisStoreOptions {
  /** One Redis by URL (`redis://`, `rediss://`, optional database index), Sentinel, or Cluster. */
  topology: RedisTopology;
  /** Put before every key this store reads or writes, so several apps can share one Redis. */
  keyPrefix: string;
  /** TLS certificate check (Heroku Key-Value Store serves self-signed certificates). */
  tlsRejectUnauthorized: boolean;
  logger: Logger;
  /** Times the pause of replica acknowledgements (Sentinel, Cluster). Defaults to the system clock. */
  clock?: Clock;
}

/**
 * Server replies that mean "cannot serve now" rather than "wrong command"
 * (loading the dataset, a failover in progress, out of memory, wrong credentials).
 */
const UNAVAILABLE_REPLY = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|READONLY|NOAUTH|WRONGPASS|OOM)\b/;

function asStoreError(error: unknown): unknown {
  if (error instanceof Error && error.name === 'ReplyError' && !UNAVAILABLE_REPLY.test(error.message)) {
    return error;
  }
  return new DependencyUnavailableError('store', 'Redis did not answer.', error);
}

async function withinDeadline<T>(operation: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${OPERATION_DEADLINE_MS} ms`)),
      OPERATION_DEADLINE_MS,
    );
  });
  try {
    return await Promise.race([operation, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

type Argument = string | number;

/**
 * The port on Redis (ioredis, loaded only here and only when Redis is
 * configured), as one server, a Sentinel-managed primary or a Cluster. While
 * Redis is unreachable every call fails at once with DependencyUnavailableError
 * (503 upstream) instead of queueing, the client reconnects forever in the
 * background (following a failover to the new primary), and the same store
 * works again as soon as Redis answers. Every command names one key, so each
 * runs within one hash slot of a cluster (docs/storage-schema.md).
 */
export async function createRedisStore(options: RedisStoreOptions): Promise<KeyValueStore> {
  const { keyPrefix, logger, topology } = options;
  const client = await createCommandClient(topology, options.tlsRejectUnauthorized, keyPrefix);
  // With replicas, writes that confirm something to a client wait for one (replica-acknowledgement.ts).
  const replicas =
    topology.kind === 'single' ? undefined : new ReplicaAcknowledgement(options.clock ?? systemClock, logger);
  let closed = false;
  watchOutages(client, redisLocation(topology), logger, () => closed);
  await firstConnection(client);

  const command = async <T>(send: (redis: RedisCommandClient) => Promise<T>): Promise<T> => {
    if (closed) throw new DependencyUnavailableError('store', 'The Redis store is closed.');
    try {
      return await withinDeadline(send(client));
    } catch (error) {
      throw asStoreError(error);
    }
  };

  const read = (name: string, args: Argument[]): Promise<unknown> =>
    command((redis) => redis.call(name, args));

  /** A write, followed on the same connection by WAIT for one replica where replicas are expected. */
  const write = async (name: string, args: Argument[]): Promise<unknown> => {
    if (replicas === undefined || !replicas.shouldWait()) return await read(name, args);
    const replies = await command((redis) =>
      redis.pipeline().call(name, args).call('wait', [1, REPLICA_ACK_TIMEOUT_MS]).exec(),
    );
    const [written, acknowledged] = replies ?? [];
    if (written === undefined) throw asStoreError(new Error('the pipeline was not run'));
    if (written[0] !== null) throw asStoreError(written[0]);
    if (acknowledged !== undefined && acknowledged[0] === null) replicas.record(Number(acknowledged[1]));
    return written[1];
  };

  const ttlArguments = (ttlMs: number | undefined): Argument[] => (ttlMs === undefined ? [] : ['PX', ttlMs]);
  const optionalString = (reply: unknown): string | undefined =>
    typeof reply === 'string' ? reply : undefined;

  return {
    kind: 'redis',

    get: async (key) => optionalString(await read('get', [key])),

    set: async (key, value, setOptions) => {
      await write('set', [key, value, ...ttlArguments(wholeTtlMs(setOptions?.ttlMs))]);
    },

    setIfAbsent: async (key, value, setOptions) =>
      (await write('set', [key, value, ...ttlArguments(wholeTtlMs(setOptions?.ttlMs)), 'NX'])) === 'OK',

    compareAndSet: async (key, expected, value, setOptions) => {
      const ttlMs = wholeTtlMs(setOptions?.ttlMs);
      const reply = await write('eval', [COMPARE_AND_SET_LUA, 1, key, expected, value, ttlMs ?? '']);
      return Number(reply) === 1;
    },

    take: async (key) => optionalString(await write('getdel', [key])),

    delete: async (...keys) => {
      if (keys.length === 0) return;
      // A multi-key DEL must stay in one hash slot on a cluster; keys here are spread by design.
      if (topology.kind === 'cluster') await Promise.all(keys.map((key) => write('del', [key])));
      else await write('del', keys);
    },

    addToSet: async (key, member, setOptions) => {
      const ttlMs = wholeTtlMs(setOptions?.ttlMs);
      return Number(await write('eval', [ADD_TO_SET_LUA, 1, key, member, ttlMs ?? '']));
    },

    // Pruning only: a removal a failover forgets leaves members whose records are gone, which is harmless.
    removeFromSet: async (key, ...members) => {
      if (members.length === 0) return;
      await read('srem', [key, ...members]);
    },

    members: async (key) => {
      const reply = await read('smembers', [key]);
      return Array.isArray(reply) ? reply.map(String) : [];
    },

    // Counters are not worth a replica round trip: a failover may forget some hits of one window.
    increment: async (key, windowMs, amount) => {
      const reply = await read('eval', [
        INCREMENT_IN_WINDOW_LUA,
        1,
        key,
        wholeWindowMs(windowMs),
        wholeAmount(amount),
      ]);
      if (!Array.isArray(reply)) throw new TypeError('unexpected reply from the increment script');
      return { count: Number(reply[0]), resetInMs: Number(reply[1]) };
    },

    keys: (prefix) => scanKeys(client, keyPrefix, prefix, command),

    ping: async () => {
      await read('ping', []);
    },

    close: async () => {
      if (closed) return;
      closed = true;
      await closeClient(client);
    },
  };
}
