import { randomInt } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisTopology } from '../../config/config.ts';
import type { Clock } from '../../shared/clock.ts';
import { randomToken } from '../../shared/crypto.ts';
import type { Logger } from '../../shared/logger.ts';
import { InvalidationListeners, type InvalidationBus } from '../invalidation-bus.ts';
import {
  clusterNodeConnectionOptions,
  connectionOptions,
  createCommandClient,
  isClusterClient,
  reconnectDelayMs,
  CONNECT_TIMEOUT_MS,
  type RedisCommandClient,
} from './redis-clients.ts';
import { connectionEnded, firstConnection } from './redis-connection-lifecycle.ts';
import { redisLocation } from './redis-location.ts';

/**
 * The subscriber is pinged this often; without a pong for HEARTBEAT_STALE_MS the
 * bus stops vouching, so a link that died without a FIN (a partition, a
 * failover) cannot hide lost messages for longer than that.
 */
const HEARTBEAT_INTERVAL_MS = 250;
const HEARTBEAT_STALE_MS = 1_000;

export interface RedisInvalidationBusOptions {
  readonly topology: RedisTopology;
  /** The store's key prefix: deployments sharing a Redis get separate channels. */
  readonly keyPrefix: string;
  readonly tlsRejectUnauthorized: boolean;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * The invalidation bus on Redis pub/sub (https://redis.io/docs/latest/develop/interact/pubsub/):
 * one connection subscribed to `<prefix>invalidation`, and a client to publish with (a
 * subscribed RESP2 connection can send nothing else). Pub/sub is fire and forget, so the
 * subscriber's health is watched: while it is not subscribed and answering pings the bus is not
 * listening, and every loss or recovery of the link is a gap.
 *
 * On a cluster this is classic pub/sub, not sharded: a PUBLISH on any node reaches the
 * subscribers of every node, so the subscriber may sit on any node (a replica included) and
 * only moves when that node goes away. The one channel would live on one shard with SPUBLISH
 * anyway; messages are rare (revocations, refreshed upstream tokens), so the broadcast costs
 * little (docs/storage-schema.md).
 */
export async function createRedisInvalidationBus(
  options: RedisInvalidationBusOptions,
): Promise<InvalidationBus> {
  const { clock, logger, topology } = options;
  const { Redis: RedisClient } = await import('ioredis');
  const channel = `${options.keyPrefix}invalidation`;
  // Our own messages come back from Redis; they were delivered here already.
  const origin = randomToken(9);
  const publisher = await createCommandClient(topology, options.tlsRejectUnauthorized, '');
  publisher.on('error', () => undefined);
  const listeners = new InvalidationListeners((error) =>
    logger.error({ event: 'invalidation.listener_failed', err: error }, 'invalidation.listener_failed'),
  );
  const location = redisLocation(topology);
  let subscriber: Redis | undefined;
  let subscribed = false;
  let lastPongMs = Number.NEGATIVE_INFINITY;
  let closed = false;
  let failedAttempts = 0;
  let reopenTimer: NodeJS.Timeout | undefined;
  let firstSubscribed: () => void = () => undefined;
  const subscribedOnce = new Promise<void>((resolve) => {
    firstSubscribed = resolve;
  });

  const isListening = (): boolean => subscribed && clock.nowMs() - lastPongMs <= HEARTBEAT_STALE_MS;
  const lose = (reason: string): void => {
    if (!subscribed) return;
    subscribed = false;
    if (!closed) {
      logger.warn({ event: 'invalidation.unavailable', url: location, reason }, 'invalidation.unavailable');
    }
    listeners.gap();
  };

  /**
   * A new subscriber connection after each loss, so that on a cluster it can move to another
   * node; Sentinel resolves the current primary on each connect.
   */
  const openSubscriber = (): void => {
    if (closed) return;
    const connection = new RedisClient({
      ...subscriberOptions(topology, options.tlsRejectUnauthorized, publisher),
      connectTimeout: CONNECT_TIMEOUT_MS,
      autoResubscribe: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    subscriber = connection;
    connection.on('message', (from: string, payload: string) => {
      if (from !== channel) return;
      const space = payload.indexOf(' ');
      if (space === -1 || payload.slice(0, space) === origin) return;
      listeners.message(payload.slice(space + 1));
    });
    connection.on('ready', () => {
      connection.subscribe(channel).then(
        () => {
          failedAttempts = 0;
          lastPongMs = clock.nowMs();
          subscribed = true;
          firstSubscribed();
          // What was published while we were away is unknown.
          listeners.gap();
        },
        (error: unknown) => lose(String(error)),
      );
    });
    // Without an 'error' listener a failed connect would be thrown; the loss is seen on 'close'.
    connection.on('error', () => undefined);
    connection.on('close', () => lose('connection closed'));
    connection.once('end', () => {
      lose('connection ended');
      if (closed) return;
      failedAttempts += 1;
      reopenTimer = setTimeout(openSubscriber, reconnectDelayMs(failedAttempts));
      reopenTimer.unref();
    });
    connection.connect().catch(() => undefined);
  };

  const heartbeat = setInterval(() => {
    if (!subscribed || subscriber === undefined) return;
    if (clock.nowMs() - lastPongMs > HEARTBEAT_STALE_MS) {
      // The socket still looks open but answers nothing: start over on a new one.
      lose('no answer to ping');
      subscriber.disconnect();
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

  // A bus whose Redis is down still starts, not listening, and recovers.
  await firstConnection(publisher);
  openSubscriber();
  await firstSubscriptionOrTimeout(subscribedOnce);

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
      clearTimeout(reopenTimer);
      subscribed = false;
      // Dropped, not QUIT: a hung Redis would never answer it, and nothing here needs an answer.
      const last = subscriber;
      last?.disconnect();
      publisher.disconnect();
      await Promise.all([last === undefined ? undefined : connectionEnded(last), connectionEnded(publisher)]);
    },
  };
}

/** Where the next subscriber connects: the URL, the current Sentinel primary, or one cluster node. */
function subscriberOptions(
  topology: RedisTopology,
  tlsRejectUnauthorized: boolean,
  publisher: RedisCommandClient,
) {
  if (topology.kind !== 'cluster') return connectionOptions(topology, tlsRejectUnauthorized);
  // Any node hears every classic PUBLISH; a random one spreads instances over the cluster.
  const known = isClusterClient(publisher) ? publisher.nodes('all').map((node) => node.options) : [];
  const candidates = known.length > 0 ? known : topology.nodes;
  const node = candidates[randomInt(candidates.length)] ?? topology.nodes[0];
  return clusterNodeConnectionOptions(topology, tlsRejectUnauthorized, {
    host: node?.host ?? '',
    port: node?.port ?? 0,
  });
}

async function firstSubscriptionOrTimeout(subscribed: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    subscribed,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CONNECT_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
}
