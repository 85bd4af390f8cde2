import type { RedisAuth, RedisTopology } from '../config.ts';
import type { EnvironmentReader } from '../environment-reader.ts';
import { parseBoolean, parseText, redisNatMap, redisNodeList, sentinelMasterName } from '../parsers/index.ts';
import { defaultedVariable, optionalVariable, type AnyVariable } from '../variable.ts';

export const MCP_AUTH_PROXY_REDIS_SENTINELS = optionalVariable({
  name: 'MCP_AUTH_PROXY_REDIS_SENTINELS',
  description:
    'Redis Sentinel instead of one Redis URL: the sentinels as comma-separated host:port (IPv6 in brackets); the proxy asks them for the current primary and follows failovers.',
  example: 'sentinel-a.internal:26379,sentinel-b.internal:26379,sentinel-c.internal:26379',
  heroku: 'new',
  whenUnset: 'none (MCP_AUTH_PROXY_REDIS_URL or MCP_AUTH_PROXY_REDIS_CLUSTER_NODES, or SQLite)',
  parse: redisNodeList,
});

export const MCP_AUTH_PROXY_REDIS_SENTINEL_MASTER = optionalVariable({
  name: 'MCP_AUTH_PROXY_REDIS_SENTINEL_MASTER',
  description:
    'The master name the sentinels monitor (`sentinel monitor <name> ...`); required with MCP_AUTH_PROXY_REDIS_SENTINELS.',
  example: 'mymaster',
  heroku: 'new',
  whenUnset: 'none',
  parse: sentinelMasterName,
});

export const MCP_AUTH_PROXY_REDIS_SENTINEL_USERNAME = optionalVariable({
  name: 'MCP_AUTH_PROXY_REDIS_SENTINEL_USERNAME',
  description:
    "The ACL user for the sentinels themselves (sentinels' `user` directive), when they require one.",
  example: 'sentinel-user',
  heroku: 'new',
  whenUnset: 'none (the default user)',
  parse: parseText,
});

export const MCP_AUTH_PROXY_REDIS_SENTINEL_PASSWORD = optionalVariable({
  name: 'MCP_AUTH_PROXY_REDIS_SENTINEL_PASSWORD',
  description:
    "The sentinels' own password (`requirepass` in sentinel.conf), when they require one; the data nodes use MCP_AUTH_PROXY_REDIS_PASSWORD.",
  example: 'sentinel-password',
  secret: true,
  heroku: 'new',
  whenUnset: 'none',
  parse: parseText,
});

export const MCP_AUTH_PROXY_REDIS_CLUSTER_NODES = optionalVariable({
  name: 'MCP_AUTH_PROXY_REDIS_CLUSTER_NODES',
  description:
    'Redis Cluster instead of one Redis URL: some nodes as comma-separated host:port (IPv6 in brackets); the others are discovered from them.',
  example: 'redis-a.internal:6379,redis-b.internal:6379,redis-c.internal:6379',
  heroku: 'new',
  whenUnset: 'none (MCP_AUTH_PROXY_REDIS_URL or MCP_AUTH_PROXY_REDIS_SENTINELS, or SQLite)',
  parse: redisNodeList,
});

export const MCP_AUTH_PROXY_REDIS_USERNAME = optionalVariable({
  name: 'MCP_AUTH_PROXY_REDIS_USERNAME',
  description:
    'The ACL user on the Redis data nodes with Sentinel or Cluster (with MCP_AUTH_PROXY_REDIS_URL the URL carries it).',
  example: 'mcp-proxy',
  heroku: 'new',
  whenUnset: 'none (the default user)',
  parse: parseText,
});

export const MCP_AUTH_PROXY_REDIS_PASSWORD = optionalVariable({
  name: 'MCP_AUTH_PROXY_REDIS_PASSWORD',
  description:
    'The password of the Redis data nodes with Sentinel or Cluster (with MCP_AUTH_PROXY_REDIS_URL the URL carries it).',
  example: 'redis-password',
  secret: true,
  heroku: 'new',
  whenUnset: 'none',
  parse: parseText,
});

export const MCP_AUTH_PROXY_REDIS_TLS = defaultedVariable({
  name: 'MCP_AUTH_PROXY_REDIS_TLS',
  description:
    'Speak TLS to the sentinels and data nodes (Sentinel) or to every cluster node (Cluster), checked as MCP_AUTH_PROXY_REDIS_TLS_REJECT_UNAUTHORIZED says; with a URL, rediss:// chooses TLS.',
  example: 'true',
  heroku: 'new',
  defaultRaw: 'false',
  parse: parseBoolean,
});

export const MCP_AUTH_PROXY_REDIS_NAT_MAP = optionalVariable({
  name: 'MCP_AUTH_PROXY_REDIS_NAT_MAP',
  description:
    'Sentinel or Cluster behind NAT: the address each node announces mapped to the one this proxy reaches it at, as comma-separated internal:port=external:port.',
  example: '10.0.1.5:6379=redis-a.example.com:16379,10.0.1.6:6379=redis-b.example.com:16379',
  heroku: 'new',
  whenUnset: 'none (announced addresses are used as they are)',
  parse: redisNatMap,
});

export const REDIS_TOPOLOGY_VARIABLES: readonly AnyVariable[] = [
  MCP_AUTH_PROXY_REDIS_SENTINELS,
  MCP_AUTH_PROXY_REDIS_SENTINEL_MASTER,
  MCP_AUTH_PROXY_REDIS_SENTINEL_USERNAME,
  MCP_AUTH_PROXY_REDIS_SENTINEL_PASSWORD,
  MCP_AUTH_PROXY_REDIS_CLUSTER_NODES,
  MCP_AUTH_PROXY_REDIS_USERNAME,
  MCP_AUTH_PROXY_REDIS_PASSWORD,
  MCP_AUTH_PROXY_REDIS_TLS,
  MCP_AUTH_PROXY_REDIS_NAT_MAP,
];

const SENTINEL_ONLY = [
  MCP_AUTH_PROXY_REDIS_SENTINEL_MASTER,
  MCP_AUTH_PROXY_REDIS_SENTINEL_USERNAME,
  MCP_AUTH_PROXY_REDIS_SENTINEL_PASSWORD,
];
const NODE_SETTINGS = [
  MCP_AUTH_PROXY_REDIS_USERNAME,
  MCP_AUTH_PROXY_REDIS_PASSWORD,
  MCP_AUTH_PROXY_REDIS_TLS,
  MCP_AUTH_PROXY_REDIS_NAT_MAP,
];

/** The variables that name where Redis is; exactly one may be set. */
export type RedisLocator = 'url' | 'sentinels' | 'cluster';

export function warnIgnored(
  reader: EnvironmentReader,
  variables: readonly AnyVariable[],
  reason: string,
): void {
  const names = variables.filter((variable) => reader.isSet(variable)).map((variable) => variable.name);
  if (names.length > 0)
    reader.warn(`${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} ignored because ${reason}`);
}

/** Every Sentinel or Cluster setting besides the locators, for "ignored" warnings. */
export const TOPOLOGY_SETTINGS: readonly AnyVariable[] = [...SENTINEL_ONLY, ...NODE_SETTINGS];

/** Warns about the Sentinel and Cluster settings that mean nothing for the chosen shape. */
export function warnIgnoredTopologySettings(reader: EnvironmentReader, locator: RedisLocator): void {
  if (locator === 'url') {
    warnIgnored(
      reader,
      TOPOLOGY_SETTINGS,
      'MCP_AUTH_PROXY_REDIS_URL is set (it carries the user and password; rediss:// chooses TLS)',
    );
  } else if (locator === 'cluster') {
    warnIgnored(reader, SENTINEL_ONLY, 'MCP_AUTH_PROXY_REDIS_CLUSTER_NODES is set, not Sentinel');
  }
}

const readAuth = (
  reader: EnvironmentReader,
  username: typeof MCP_AUTH_PROXY_REDIS_USERNAME,
  password: typeof MCP_AUTH_PROXY_REDIS_PASSWORD,
): RedisAuth => ({ username: reader.maybe(username), password: reader.maybe(password) });

/** The Sentinel or Cluster topology; undefined when a problem was recorded. */
export function readReplicatedTopology(
  reader: EnvironmentReader,
  locator: 'sentinels' | 'cluster',
): RedisTopology | undefined {
  const auth = readAuth(reader, MCP_AUTH_PROXY_REDIS_USERNAME, MCP_AUTH_PROXY_REDIS_PASSWORD);
  const tls = reader.value(MCP_AUTH_PROXY_REDIS_TLS);
  const natMap = reader.maybe(MCP_AUTH_PROXY_REDIS_NAT_MAP);
  const natMapValid = natMap !== undefined || !reader.isSet(MCP_AUTH_PROXY_REDIS_NAT_MAP);
  if (locator === 'cluster') {
    const nodes = reader.maybe(MCP_AUTH_PROXY_REDIS_CLUSTER_NODES);
    if (nodes === undefined || !natMapValid) return undefined;
    return { kind: 'cluster', nodes, auth, tls, natMap: natMap ?? {} };
  }
  const sentinels = reader.maybe(MCP_AUTH_PROXY_REDIS_SENTINELS);
  const masterName = reader.maybe(MCP_AUTH_PROXY_REDIS_SENTINEL_MASTER);
  const sentinelAuth = readAuth(
    reader,
    MCP_AUTH_PROXY_REDIS_SENTINEL_USERNAME,
    MCP_AUTH_PROXY_REDIS_SENTINEL_PASSWORD,
  );
  if (!reader.isSet(MCP_AUTH_PROXY_REDIS_SENTINEL_MASTER)) {
    reader.problem(
      MCP_AUTH_PROXY_REDIS_SENTINEL_MASTER,
      `MCP_AUTH_PROXY_REDIS_SENTINEL_MASTER is required with MCP_AUTH_PROXY_REDIS_SENTINELS: ${MCP_AUTH_PROXY_REDIS_SENTINEL_MASTER.description} For example: MCP_AUTH_PROXY_REDIS_SENTINEL_MASTER=${MCP_AUTH_PROXY_REDIS_SENTINEL_MASTER.example}`,
    );
  }
  if (sentinels === undefined || masterName === undefined || !natMapValid) return undefined;
  return { kind: 'sentinel', sentinels, masterName, sentinelAuth, auth, tls, natMap: natMap ?? {} };
}
