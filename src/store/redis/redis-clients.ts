import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import type { RedisAuth, RedisNatMap, RedisTopology } from '../../config/config.ts';
import { redisConnectionOptions } from './redis-connection-options.ts';

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
export const DISCONNECT_TIMEOUT_MS = 100;

/** What the store and the bus send commands through: one Redis connection, or a Cluster client. */
export type RedisCommandClient = Redis | Cluster;

/** ioredis marks a Cluster client with `isCluster`; both classes declare it as a plain boolean. */
export const isClusterClient = (client: RedisCommandClient): client is Cluster => client.isCluster;

export const reconnectDelayMs = (attempt: number): number =>
  Math.min(RECONNECT_FIRST_DELAY_MS * 2 ** Math.min(attempt - 1, 16), RECONNECT_MAX_DELAY_MS);

/**
 * Fail fast while disconnected: no offline queue, no retrying of a command across reconnects, and
 * no replay of an unanswered INCR or GETDEL on a new connection. A request then gets a 503 at once
 * instead of waiting for a failover to end (the caller's client retries after Retry-After).
 */
export const FAIL_FAST = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  connectTimeout: CONNECT_TIMEOUT_MS,
  disconnectTimeout: DISCONNECT_TIMEOUT_MS,
  commandTimeout: COMMAND_TIMEOUT_MS,
} as const satisfies RedisOptions;

/**
 * A primary demoted by a failover keeps its connections but refuses writes with READONLY: drop
 * the connection (1 = reconnect, do not resend), so the next one asks the sentinels again.
 */
const reconnectWhenDemoted = (error: Error): 1 | false => (error.message.startsWith('READONLY') ? 1 : false);

const authOptions = (auth: RedisAuth): Pick<RedisOptions, 'username' | 'password'> => ({
  ...(auth.username === undefined ? {} : { username: auth.username }),
  ...(auth.password === undefined ? {} : { password: auth.password }),
});

const tlsOptions = (tls: boolean, rejectUnauthorized: boolean): ConnectionOptions | undefined =>
  tls ? { rejectUnauthorized } : undefined;

const natMapOption = (natMap: RedisNatMap): { natMap?: Record<string, { host: string; port: number }> } =>
  Object.keys(natMap).length === 0 ? {} : { natMap: { ...natMap } };

/**
 * The options of one connection to the data (the primary, for Sentinel, which ioredis asks the
 * sentinels for on every connect: https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#sentinel-clients-implementation).
 * Not for Cluster, whose connections the Cluster client opens itself.
 */
export function connectionOptions(
  topology: Exclude<RedisTopology, { kind: 'cluster' }>,
  tlsRejectUnauthorized: boolean,
) {
  if (topology.kind === 'single') {
    return { ...redisConnectionOptions(topology.url, tlsRejectUnauthorized), lazyConnect: true };
  }
  const tls = tlsOptions(topology.tls, tlsRejectUnauthorized);
  return {
    sentinels: topology.sentinels.map(({ host, port }) => ({ host, port })),
    name: topology.masterName,
    role: 'master' as const,
    ...authOptions(topology.auth),
    ...(topology.sentinelAuth.username === undefined
      ? {}
      : { sentinelUsername: topology.sentinelAuth.username }),
    ...(topology.sentinelAuth.password === undefined
      ? {}
      : { sentinelPassword: topology.sentinelAuth.password }),
    ...(tls === undefined ? {} : { tls, sentinelTLS: tls, enableTLSForSentinelMode: true }),
    ...natMapOption(topology.natMap),
    sentinelCommandTimeout: COMMAND_TIMEOUT_MS,
    reconnectOnError: reconnectWhenDemoted,
    lazyConnect: true,
  };
}

/** The options of a Cluster client, with every node connection failing fast. */
export function clusterOptions(
  topology: Extract<RedisTopology, { kind: 'cluster' }>,
  tlsRejectUnauthorized: boolean,
  keyPrefix: string,
) {
  const tls = tlsOptions(topology.tls, tlsRejectUnauthorized);
  return {
    keyPrefix,
    lazyConnect: true,
    enableOfflineQueue: false,
    clusterRetryStrategy: reconnectDelayMs,
    // Reads go to primaries: a replica may lag behind a write this instance just confirmed.
    scaleReads: 'master' as const,
    slotsRefreshTimeout: COMMAND_TIMEOUT_MS,
    ...natMapOption(topology.natMap),
    ...(tls === undefined
      ? {}
      : {
          // Connect by the announced host name, so the certificate is checked against it (ioredis
          // would resolve it to an address first, and the name the certificate carries is lost).
          dnsLookup: (address: string, callback: (error: null, address: string) => void) =>
            callback(null, address),
        }),
    redisOptions: {
      ...authOptions(topology.auth),
      ...(tls === undefined ? {} : { tls }),
      maxRetriesPerRequest: FAIL_FAST.maxRetriesPerRequest,
      autoResendUnfulfilledCommands: FAIL_FAST.autoResendUnfulfilledCommands,
      connectTimeout: FAIL_FAST.connectTimeout,
      disconnectTimeout: FAIL_FAST.disconnectTimeout,
      commandTimeout: FAIL_FAST.commandTimeout,
    },
  };
}

/** The client the store sends its commands through, not yet connected (ioredis loaded here, lazily). */
export async function createCommandClient(
  topology: RedisTopology,
  tlsRejectUnauthorized: boolean,
  keyPrefix: string,
): Promise<RedisCommandClient> {
  const { Redis: RedisClient, Cluster: ClusterClient } = await import('ioredis');
  if (topology.kind === 'cluster') {
    return new ClusterClient(
      topology.nodes.map(({ host, port }) => ({ host, port })),
      clusterOptions(topology, tlsRejectUnauthorized, keyPrefix),
    );
  }
  return new RedisClient({
    ...connectionOptions(topology, tlsRejectUnauthorized),
    ...FAIL_FAST,
    keyPrefix,
    retryStrategy: reconnectDelayMs,
  });
}

/** The options of one plain connection to one cluster node, for a pub/sub subscriber. */
export function clusterNodeConnectionOptions(
  topology: Extract<RedisTopology, { kind: 'cluster' }>,
  tlsRejectUnauthorized: boolean,
  node: { host: string; port: number },
) {
  const tls = tlsOptions(topology.tls, tlsRejectUnauthorized);
  return {
    host: node.host,
    port: node.port,
    ...authOptions(topology.auth),
    ...(tls === undefined ? {} : { tls: isIP(node.host) === 0 ? { ...tls, servername: node.host } : tls }),
    lazyConnect: true,
  };
}
