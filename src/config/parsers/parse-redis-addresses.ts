import type { RedisNatMap, RedisNodeAddress } from '../config.ts';
import { invalid, valid, type Parsed, type ValueParser } from '../variable.ts';
import { quoteValue } from './quote-value.ts';

const HOST_PORT_SHAPE = 'host:port, with an IPv6 address in brackets ([::1]:6379)';

/**
 * One `host:port`. IPv6 literals must be bracketed (RFC 3986 §3.2.2), so the
 * last colon always separates the port.
 */
function parseHostPort(entry: string): RedisNodeAddress | string {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]/,]+)):(\d{1,5})$/.exec(entry);
  if (match === null) return `has ${quoteValue(entry)}, which is not ${HOST_PORT_SHAPE}`;
  const port = Number(match[3]);
  if (port < 1 || port > 65_535) return `has ${quoteValue(entry)}, whose port is not between 1 and 65535`;
  return { host: match[1] ?? match[2] ?? '', port };
}

/** A comma-separated list of `host:port` addresses (sentinels, cluster seed nodes); at least one. */
export const redisNodeList: ValueParser<readonly RedisNodeAddress[]> = (raw) => {
  const messages: string[] = [];
  const addresses: RedisNodeAddress[] = [];
  for (const entry of raw.split(',').map((part) => part.trim())) {
    if (entry === '') {
      messages.push(`must be a comma-separated list of ${HOST_PORT_SHAPE}, and has an empty entry`);
      continue;
    }
    const parsed = parseHostPort(entry);
    if (typeof parsed === 'string') messages.push(parsed);
    else addresses.push(parsed);
  }
  return messages.length > 0 ? { ok: false, messages } : valid(addresses);
};

/**
 * `internal:port=external:port,...`: the address a node announces (CLUSTER SLOTS, SENTINEL
 * get-master-addr-by-name) mapped to the one this proxy reaches it at, as ioredis's `natMap`.
 * Keys are `host:port` exactly as ioredis builds them (an IPv6 host without brackets).
 */
export const redisNatMap: ValueParser<RedisNatMap> = (raw): Parsed<RedisNatMap> => {
  const messages: string[] = [];
  const map: Record<string, RedisNodeAddress> = {};
  for (const entry of raw.split(',').map((part) => part.trim())) {
    const sides = entry.split('=');
    if (sides.length !== 2) {
      messages.push(
        `must be a comma-separated list of internal=external address pairs such as 10.0.0.5:6379=redis-a.example.com:6379, got ${quoteValue(entry)}`,
      );
      continue;
    }
    const [left = '', right = ''] = sides;
    const internal = parseHostPort(left.trim());
    const external = parseHostPort(right.trim());
    if (typeof internal === 'string') messages.push(internal);
    if (typeof external === 'string') messages.push(external);
    if (typeof internal === 'string' || typeof external === 'string') continue;
    const key = `${internal.host}:${internal.port}`;
    if (key in map) messages.push(`maps ${quoteValue(key)} twice`);
    map[key] = external;
  }
  return messages.length > 0 ? invalid(...messages) : valid(map);
};

/** A Sentinel master name: what `sentinel monitor <name> ...` declared, one word. */
export const sentinelMasterName: ValueParser<string> = (raw) =>
  /^[^\s]+$/.test(raw)
    ? valid(raw)
    : invalid(`must be the master name from the sentinels' configuration (one word), got ${quoteValue(raw)}`);
