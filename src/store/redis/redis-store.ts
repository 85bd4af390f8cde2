import type { Redis } from 'ioredis';
import type { Logger } from '../../shared/logger.ts';
import { DependencyUnavailableError } from '../../oauth/oauth-error.ts';
import type { KeyValueStore } from '../key-value-store.ts';
import { wholeAmount, wholeTtlMs, wholeWindowMs } from '../ttl.ts';
import { redactRedisUrl, redisConnectionOptions } from './redis-connection-options.ts';
import { ADD_TO_SET_LUA, COMPARE_AND_SET_LUA, INCREMENT_IN_WINDOW_LUA } from './redis-scripts.ts';

/** How long opening a TCP (and TLS) connection may take before the attempt counts as failed. */
export const CONNECT_TIMEOUT_MS = 2_000;
/** A command without an answer by then fails, so a hung server cannot hang a request. */
export const COMMAND_TIMEOUT_MS = 2_000;
/** Reconnect backoff: doubles from the first delay up to the cap, then retries at the cap forever. */
export const RECONNECT_FIRST_DELAY_MS = 50;
export const RECONNECT_MAX_DELAY_MS = 2_000;
/**
 * How long close() lets a socket end politely before destroying it. Kept short: ioredis arms this
 * timer even for a socket that is already gone, and it would hold a closing process open.
 */
const DISCONNECT_TIMEOUT_MS = 100;
/** Keys asked for per SCAN round trip in keys(). */
const SCAN_BATCH = 500;

export interface RedisStoreOptions {
  /** `redis://` or `rediss://` (TLS), with an optional database index as its path. */
  url: string;
  /** Put before every key this store reads or writes, so several apps can share one Redis. */
  keyPrefix: string;
  /** TLS certificate check for `rediss://` (Heroku Key-Value Store serves self-signed certificates). */
  tlsRejectUnauthorized: boolean;
  logger: Logger;
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

const reconnectDelayMs = (attempt: number): number =>
  Math.min(RECONNECT_FIRST_DELAY_MS * 2 ** Math.min(attempt - 1, 16), RECONNECT_MAX_DELAY_MS);

/** SCAN MATCH is a glob: the literal prefix must not be read as wildcards. */
const escapeGlob = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');

/**
 * The port on Redis (ioredis, loaded only here and only when Redis is
 * configured). While Redis is unreachable every call fails at once with
 * DependencyUnavailableError (503 upstream) instead of queueing, the client
 * reconnects forever in the background, and the same store works again as
 * soon as Redis answers.
 */
export async function createRedisStore(options: RedisStoreOptions): Promise<KeyValueStore> {
  const { keyPrefix, logger } = options;
  const { Redis: RedisClient } = await import('ioredis');
  const client = new RedisClient({
    ...redisConnectionOptions(options.url, options.tlsRejectUnauthorized),
    keyPrefix,
    lazyConnect: true,
    // Fail fast while disconnected: no offline queue, no retrying of a command across reconnects,
    // and no replay of an unanswered INCR or GETDEL on a new connection.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: CONNECT_TIMEOUT_MS,
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: reconnectDelayMs,
  });
  let closed = false;
  watchOutages(client, redactRedisUrl(options.url), logger, () => closed);
  await firstConnection(client);

  const command = async <T>(send: (redis: Redis) => Promise<T>): Promise<T> => {
    if (closed) throw new DependencyUnavailableError('store', 'The Redis store is closed.');
    try {
      return await send(client);
    } catch (error) {
      throw asStoreError(error);
    }
  };

  return {
    kind: 'redis',

    get: async (key) => (await command((redis) => redis.get(key))) ?? undefined,

    set: async (key, value, setOptions) => {
      const ttlMs = wholeTtlMs(setOptions?.ttlMs);
      await command((redis) =>
        ttlMs === undefined ? redis.set(key, value) : redis.set(key, value, 'PX', ttlMs),
      );
    },

    setIfAbsent: async (key, value, setOptions) => {
      const ttlMs = wholeTtlMs(setOptions?.ttlMs);
      const reply = await command((redis) =>
        ttlMs === undefined ? redis.set(key, value, 'NX') : redis.set(key, value, 'PX', ttlMs, 'NX'),
      );
      return reply === 'OK';
    },

    compareAndSet: async (key, expected, value, setOptions) => {
      const ttlMs = wholeTtlMs(setOptions?.ttlMs);
      const reply = await command((redis) =>
        redis.eval(COMPARE_AND_SET_LUA, 1, key, expected, value, ttlMs === undefined ? '' : ttlMs),
      );
      return reply === 1;
    },

    take: async (key) => (await command((redis) => redis.getdel(key))) ?? undefined,

    delete: async (...keys) => {
      if (keys.length === 0) return;
      await command((redis) => redis.del(...keys));
    },

    addToSet: async (key, member, setOptions) => {
      const ttlMs = wholeTtlMs(setOptions?.ttlMs);
      await command((redis) => redis.eval(ADD_TO_SET_LUA, 1, key, member, ttlMs === undefined ? '' : ttlMs));
    },

    members: (key) => command((redis) => redis.smembers(key)),

    increment: async (key, windowMs, amount) => {
      const wholeWindow = wholeWindowMs(windowMs);
      const add = wholeAmount(amount);
      const reply = await command((redis) => redis.eval(INCREMENT_IN_WINDOW_LUA, 1, key, wholeWindow, add));
      if (!Array.isArray(reply)) throw new TypeError('unexpected reply from the increment script');
      return { count: Number(reply[0]), resetInMs: Number(reply[1]) };
    },

    async *keys(prefix) {
      // SCAN patterns are not prefixed by ioredis: add the store's prefix, strip it from results.
      const pattern = `${escapeGlob(keyPrefix + prefix)}*`;
      const seen = new Set<string>();
      let cursor = '0';
      do {
        const [next, batch] = await command((redis) =>
          redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_BATCH),
        );
        cursor = next;
        // SCAN may return a key twice (https://redis.io/docs/latest/commands/scan/#scan-guarantees).
        for (const fullKey of batch) {
          if (seen.has(fullKey)) continue;
          seen.add(fullKey);
          yield fullKey.slice(keyPrefix.length);
        }
      } while (cursor !== '0');
    },

    ping: async () => {
      await command((redis) => redis.ping());
    },

    close: async () => {
      if (closed) return;
      closed = true;
      const ended = connectionEnded(client);
      if (client.status === 'ready') {
        // QUIT lets Redis answer what is in flight; a dead link is simply dropped.
        await client.quit().catch(() => client.disconnect());
      } else {
        client.disconnect();
      }
      await ended;
    },
  };
}

/**
 * Waits for the first connection, but never longer than one connect attempt:
 * a proxy whose Redis is down still starts, answers 503 where it needs the
 * store, and recovers when Redis comes back.
 */
async function firstConnection(client: Redis): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CONNECT_TIMEOUT_MS);
  });
  try {
    await Promise.race([client.connect().catch(() => undefined), giveUp]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Resolves when the client has let go of its socket, so a caller that closes
 * the store can exit at once. Bounded: a client that was between reconnect
 * attempts has no socket left to report its end.
 */
async function connectionEnded(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve) => {
    client.once('end', resolve);
    timer = setTimeout(resolve, DISCONNECT_TIMEOUT_MS);
  });
  clearTimeout(timer);
}

/**
 * Logs an outage once when it starts and once when it ends, however many
 * reconnect attempts fail in between. Listening to 'error' is also what keeps
 * a connection failure from becoming an uncaught exception.
 */
function watchOutages(client: Redis, redactedUrl: string, logger: Logger, isClosing: () => boolean): void {
  let down = false;
  const markDown = (reason: string): void => {
    if (down) return;
    down = true;
    logger.warn(
      { event: 'store.unavailable', store: 'redis', url: redactedUrl, reason },
      'store.unavailable',
    );
  };
  client.on('error', (error: Error) => markDown(error.message));
  client.on('close', () => {
    if (!isClosing()) markDown('connection closed');
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info({ event: 'store.recovered', store: 'redis', url: redactedUrl }, 'store.recovered');
  });
}
