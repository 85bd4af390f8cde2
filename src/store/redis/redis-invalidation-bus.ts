import type { Redis } from 'ioredis';
import type { Clock } from '../../shared/clock.ts';
import { randomToken } from '../../shared/crypto.ts';
import type { Logger } from '../../shared/logger.ts';
import { InvalidationListeners, type InvalidationBus } from '../invalidation-bus.ts';
import { redactRedisUrl, redisConnectionOptions } from './redis-connection-options.ts';
import { COMMAND_TIMEOUT_MS, CONNECT_TIMEOUT_MS } from './redis-store.ts';

/**
 * The subscriber is pinged this often; without a pong for HEARTBEAT_STALE_MS the
 * bus stops vouching, so a link that died without a FIN (a partition, a
 * failover) cannot hide lost messages for longer than that.
 */
const HEARTBEAT_INTERVAL_MS = 250;
const HEARTBEAT_STALE_MS = 1_000;
const RECONNECT_MAX_DELAY_MS = 2_000;
const DISCONNECT_WAIT_MS = 100;

export interface RedisInvalidationBusOptions {
  readonly url: string;
  /** The store's key prefix: deployments sharing a Redis get separate channels. */
  readonly keyPrefix: string;
  readonly tlsRejectUnauthorized: boolean;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * The invalidation bus on Redis pub/sub (https://redis.io/docs/latest/develop/interact/pubsub/):
 * one connection subscribed to `<prefix>invalidation`, one to publish on (a
 * subscribed RESP2 connection can send nothing else). Pub/sub is fire and
 * forget, so the subscriber's health is watched: while it is not subscribed
 * and answering pings the bus is not listening, and every loss or recovery of
 * the link is a gap. ioredis is loaded only here, as by the Redis store.
 */
export async function createRedisInvalidationBus(
  options: RedisInvalidationBusOptions,
): Promise<InvalidationBus> {
  const { clock, logger } = options;
  const { Redis: RedisClient } = await import('ioredis');
  const channel = `${options.keyPrefix}invalidation`;
  // Our own messages come back from Redis; they were delivered here already.
  const origin = randomToken(9);
  const connection = {
    ...redisConnectionOptions(options.url, options.tlsRejectUnauthorized),
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt - 1, 16), RECONNECT_MAX_DELAY_MS),
  };
  const subscriber = new RedisClient({
    ...connection,
    autoResubscribe: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
  });
  const publisher = new RedisClient({
    ...connection,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
  });
  const listeners = new InvalidationListeners((error) =>
    logger.error({ event: 'invalidation.listener_failed', err: error }, 'invalidation.listener_failed'),
  );
  const redactedUrl = redactRedisUrl(options.url);
  let subscribed = false;
  let lastPongMs = Number.NEGATIVE_INFINITY;
  let closed = false;
  let firstSubscribed: () => void = () => undefined;
  const subscribedOnce = new Promise<void>((resolve) => {
    firstSubscribed = resolve;
  });

  const isListening = (): boolean => subscribed && clock.nowMs() - lastPongMs <= HEARTBEAT_STALE_MS;
  const lose = (reason: string): void => {
    if (!subscribed) return;
    subscribed = false;
    if (!closed) {
      logger.warn(
        { event: 'invalidation.unavailable', url: redactedUrl, reason },
        'invalidation.unavailable',
      );
    }
    listeners.gap();
  };

  subscriber.on('message', (from: string, payload: string) => {
    if (from !== channel) return;
    const space = payload.indexOf(' ');
    if (space === -1 || payload.slice(0, space) === origin) return;
    listeners.message(payload.slice(space + 1));
  });
  subscriber.on('ready', () => {
    subscriber.subscribe(channel).then(
      () => {
        lastPongMs = clock.nowMs();
        subscribed = true;
        firstSubscribed();
        // What was published while we were away is unknown.
        listeners.gap();
      },
      (error: unknown) => lose(String(error)),
    );
  });
  subscriber.on('close', () => lose('connection closed'));
  // Without an 'error' listener a failed connect would be thrown; the loss is seen on 'close'.
  subscriber.on('error', () => undefined);
  publisher.on('error', () => undefined);

  const heartbeat = setInterval(() => {
    if (!subscribed) return;
    if (clock.nowMs() - lastPongMs > HEARTBEAT_STALE_MS) {
      // The socket still looks open but answers nothing: start over on a new one.
      lose('no answer to ping');
      subscriber.disconnect(true);
      return;
    }
    subscriber.ping().then(
      () => {
        lastPongMs = clock.nowMs();
      },
      () => undefined,
    );
  }, HEARTBEAT_INTERVAL_MS);
  heartbeat.unref();

  await Promise.all([connectOnce(subscriber, subscribedOnce), connectOnce(publisher, Promise.resolve())]);

  return {
    kind: 'redis',

    async publish(message) {
      listeners.message(message);
      await publisher.publish(channel, `${origin} ${message}`);
    },

    subscribe: (listener) => listeners.add(listener),

    isListening,

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      subscribed = false;
      // Dropped, not QUIT: a hung Redis would never answer it, and nothing here needs an answer.
      subscriber.disconnect();
      publisher.disconnect();
      await Promise.all([ended(subscriber), ended(publisher)]);
    },
  };
}

/** The first attempt only: a bus whose Redis is down still starts, not listening, and recovers. */
async function connectOnce(client: Redis, ready: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CONNECT_TIMEOUT_MS);
  });
  const connected = client.connect().then(
    () => ready,
    () => undefined,
  );
  try {
    await Promise.race([connected, giveUp]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once the client has let go of its socket (bounded: one with no socket has nothing to report). */
async function ended(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve) => {
    client.once('end', resolve);
    timer = setTimeout(resolve, DISCONNECT_WAIT_MS);
  });
  clearTimeout(timer);
}
