import type { Redis } from 'ioredis';
import { isClusterClient, type RedisCommandClient } from './redis-clients.ts';

/** Keys asked for per SCAN round trip. */
const SCAN_BATCH = 500;

/** SCAN MATCH is a glob: the literal prefix must not be read as wildcards. */
const escapeGlob = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');

type Command = <T>(send: (redis: RedisCommandClient) => Promise<T>) => Promise<T>;

/**
 * Every live key under the store's prefix that starts with `prefix`, for operator tooling (never
 * the hot path). SCAN walks one server's keyspace, so on a cluster every primary is walked in
 * turn (https://redis.io/docs/latest/commands/scan/); its patterns are not prefixed by ioredis,
 * so the store's prefix is added here and stripped from the results.
 */
export async function* scanKeys(
  client: RedisCommandClient,
  keyPrefix: string,
  prefix: string,
  command: Command,
): AsyncGenerator<string> {
  const pattern = `${escapeGlob(keyPrefix + prefix)}*`;
  // SCAN may return a key twice, and a key moving between shards may show up on both.
  const seen = new Set<string>();
  const servers: Redis[] = isClusterClient(client) ? client.nodes('master') : [client];
  for (const server of servers) {
    let cursor = '0';
    do {
      const [next, batch] = await command(() => server.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_BATCH));
      cursor = next;
      for (const fullKey of batch) {
        if (seen.has(fullKey)) continue;
        seen.add(fullKey);
        yield fullKey.slice(keyPrefix.length);
      }
    } while (cursor !== '0');
  }
}
