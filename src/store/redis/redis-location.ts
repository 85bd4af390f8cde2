import type { RedisNodeAddress, RedisTopology } from '../../config/config.ts';
import { redactRedisUrl } from './redis-connection-options.ts';

/** `host:port`, an IPv6 host in brackets (RFC 3986 §3.2.2). */
export const hostPort = ({ host, port }: RedisNodeAddress): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

/** Where the store's Redis is, as it may be printed or logged: no password. */
export function redisLocation(topology: RedisTopology): string {
  switch (topology.kind) {
    case 'single':
      return redactRedisUrl(topology.url);
    case 'sentinel':
      return `Sentinel master ${topology.masterName} via ${topology.sentinels.map(hostPort).join(',')}`;
    case 'cluster':
      return `Redis Cluster via ${topology.nodes.map(hostPort).join(',')}`;
  }
}
