import { dirname } from 'node:path';
import type { RedisTopology, StoreConfig } from '../config.ts';
import type { EnvironmentReader } from '../environment-reader.ts';
import { parseBoolean, parseText, redisUrl, resolvedPath } from '../parsers/index.ts';
import { defaultedVariable, optionalVariable, type VariableGroup } from '../variable.ts';
import {
  MCP_AUTH_PROXY_REDIS_CLUSTER_NODES,
  MCP_AUTH_PROXY_REDIS_SENTINELS,
  readReplicatedTopology,
  REDIS_TOPOLOGY_VARIABLES,
  TOPOLOGY_SETTINGS,
  warnIgnored,
  warnIgnoredTopologySettings,
} from './redis-topology.ts';

export const MCP_AUTH_PROXY_REDIS_URL = optionalVariable({
  name: 'MCP_AUTH_PROXY_REDIS_URL',
  description:
    'One Redis for grants, tokens, sessions and rate limits shared by several instances (redis:// or rediss:// for TLS); for Sentinel or Cluster use MCP_AUTH_PROXY_REDIS_SENTINELS or MCP_AUTH_PROXY_REDIS_CLUSTER_NODES instead.',
  example: 'rediss://:password@redis.example.com:6379',
  secret: true,
  heroku: { changed: 'optional; without it an embedded SQLite file is used' },
  whenUnset: 'none (the embedded SQLite store is used)',
  parse: redisUrl,
});

export const MCP_AUTH_PROXY_REDIS_PREFIX = defaultedVariable({
  name: 'MCP_AUTH_PROXY_REDIS_PREFIX',
  description: 'The prefix of every Redis key the proxy writes, so several deployments can share one Redis.',
  example: 'mcp-proxy-staging:',
  heroku: {
    changed:
      'prefixes every key, rate-limit counters included (the Heroku proxy kept those under rate-limit:); the records under it are laid out anew, so users sign in once more after the switch',
  },
  defaultRaw: 'oidc:',
  parse: parseText,
});

export const MCP_AUTH_PROXY_REDIS_TLS_REJECT_UNAUTHORIZED = defaultedVariable({
  name: 'MCP_AUTH_PROXY_REDIS_TLS_REJECT_UNAUTHORIZED',
  description:
    "Verify the Redis server's TLS certificate on rediss:// connections; off by default like the Heroku proxy, because Heroku Key-Value Store uses self-signed certificates.",
  example: 'true',
  heroku: 'new',
  defaultRaw: 'false',
  parse: parseBoolean,
});

export const MCP_AUTH_PROXY_SQLITE_PATH = defaultedVariable({
  name: 'MCP_AUTH_PROXY_SQLITE_PATH',
  description:
    'The SQLite database file used when no Redis URL is set, resolved against the working directory (one instance only).',
  example: '/var/lib/mcp-auth-proxy/store.sqlite',
  heroku: 'new',
  defaultRaw: './.mcp-auth-proxy/store.sqlite',
  parse: resolvedPath,
});

export const STORE_VARIABLES: VariableGroup = {
  title: 'Storage',
  variables: [
    MCP_AUTH_PROXY_REDIS_URL,
    ...REDIS_TOPOLOGY_VARIABLES,
    MCP_AUTH_PROXY_REDIS_PREFIX,
    MCP_AUTH_PROXY_REDIS_TLS_REJECT_UNAUTHORIZED,
    MCP_AUTH_PROXY_SQLITE_PATH,
  ],
};

export interface StoreSection {
  /** Which backend the variables ask for, even when its settings are invalid. */
  readonly kind: StoreConfig['kind'];
  /** Undefined when a Redis setting is invalid (a problem is recorded). */
  readonly config: StoreConfig | undefined;
}

const LOCATORS = [
  ['url', MCP_AUTH_PROXY_REDIS_URL],
  ['sentinels', MCP_AUTH_PROXY_REDIS_SENTINELS],
  ['cluster', MCP_AUTH_PROXY_REDIS_CLUSTER_NODES],
] as const;

export function readStore(reader: EnvironmentReader): StoreSection {
  const locators = LOCATORS.filter(([, variable]) => reader.isSet(variable));
  const [chosen, ...others] = locators;
  if (chosen === undefined) {
    warnIgnored(
      reader,
      [...TOPOLOGY_SETTINGS, MCP_AUTH_PROXY_REDIS_PREFIX, MCP_AUTH_PROXY_REDIS_TLS_REJECT_UNAUTHORIZED],
      'no Redis is configured (MCP_AUTH_PROXY_REDIS_URL, _SENTINELS or _CLUSTER_NODES)',
    );
    return { kind: 'sqlite', config: { kind: 'sqlite', path: reader.value(MCP_AUTH_PROXY_SQLITE_PATH) } };
  }
  const [locator, locatorVariable] = chosen;
  warnIgnoredTopologySettings(reader, locator);
  warnIgnored(reader, [MCP_AUTH_PROXY_SQLITE_PATH], `${locatorVariable.name} is set`);
  for (const [, variable] of others) {
    reader.problem(
      variable,
      `${locators.map(([, each]) => each.name).join(' and ')} are all set, but they are alternatives: set exactly one (one Redis by URL, a Sentinel-managed primary, or a Redis Cluster).`,
    );
  }
  const keyPrefix = reader.value(MCP_AUTH_PROXY_REDIS_PREFIX);
  const tlsRejectUnauthorized = reader.value(MCP_AUTH_PROXY_REDIS_TLS_REJECT_UNAUTHORIZED);
  if (locator === 'cluster' && /[{}]/.test(keyPrefix)) {
    // Redis Cluster hashes only what is inside the first {...} of a key (its hash tag): a brace in
    // the prefix would send every key to one slot, one shard (https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags).
    reader.problem(
      MCP_AUTH_PROXY_REDIS_PREFIX,
      'MCP_AUTH_PROXY_REDIS_PREFIX must not contain { or } with MCP_AUTH_PROXY_REDIS_CLUSTER_NODES: Redis Cluster would read it as a hash tag and put every key on one shard.',
    );
  }
  const topology: RedisTopology | undefined =
    locator === 'url'
      ? singleTopology(reader.maybe(MCP_AUTH_PROXY_REDIS_URL))
      : readReplicatedTopology(reader, locator);
  if (topology === undefined || others.length > 0) return { kind: 'redis', config: undefined };
  return { kind: 'redis', config: { kind: 'redis', topology, keyPrefix, tlsRejectUnauthorized } };
}

const singleTopology = (url: string | undefined): RedisTopology | undefined =>
  url === undefined ? undefined : { kind: 'single', url };

/** The directory beside the SQLite file where generated secrets are kept. */
export const sqliteDirectory = (path: string): string => dirname(path);
