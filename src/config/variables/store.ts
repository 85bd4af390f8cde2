import { dirname } from 'node:path';
import type { StoreConfig } from '../config.ts';
import type { EnvironmentReader } from '../environment-reader.ts';
import { parseBoolean, parseText, redisUrl, resolvedPath } from '../parsers/index.ts';
import { defaultedVariable, optionalVariable, type VariableGroup } from '../variable.ts';

export const MCP_AUTH_PROXY_REDIS_URL = optionalVariable({
  name: 'MCP_AUTH_PROXY_REDIS_URL',
  description:
    'Redis for grants, tokens, sessions and rate limits shared by several instances (redis:// or rediss:// for TLS).',
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
    MCP_AUTH_PROXY_REDIS_PREFIX,
    MCP_AUTH_PROXY_REDIS_TLS_REJECT_UNAUTHORIZED,
    MCP_AUTH_PROXY_SQLITE_PATH,
  ],
};

export interface StoreSection {
  /** Which backend the variables ask for, even when its settings are invalid. */
  readonly kind: StoreConfig['kind'];
  /** Undefined when the Redis URL is invalid (a problem is recorded). */
  readonly config: StoreConfig | undefined;
}

function warnIgnored(reader: EnvironmentReader, names: readonly string[], reason: string): void {
  if (names.length > 0)
    reader.warn(`${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} ignored because ${reason}`);
}

export function readStore(reader: EnvironmentReader): StoreSection {
  if (!reader.isSet(MCP_AUTH_PROXY_REDIS_URL)) {
    const redisOnly = [MCP_AUTH_PROXY_REDIS_PREFIX, MCP_AUTH_PROXY_REDIS_TLS_REJECT_UNAUTHORIZED];
    warnIgnored(
      reader,
      redisOnly.filter((variable) => reader.isSet(variable)).map((variable) => variable.name),
      'MCP_AUTH_PROXY_REDIS_URL is not set',
    );
    return { kind: 'sqlite', config: { kind: 'sqlite', path: reader.value(MCP_AUTH_PROXY_SQLITE_PATH) } };
  }
  if (reader.isSet(MCP_AUTH_PROXY_SQLITE_PATH)) {
    warnIgnored(reader, [MCP_AUTH_PROXY_SQLITE_PATH.name], 'MCP_AUTH_PROXY_REDIS_URL is set');
  }
  const url = reader.maybe(MCP_AUTH_PROXY_REDIS_URL);
  const keyPrefix = reader.value(MCP_AUTH_PROXY_REDIS_PREFIX);
  const tlsRejectUnauthorized = reader.value(MCP_AUTH_PROXY_REDIS_TLS_REJECT_UNAUTHORIZED);
  if (url === undefined) return { kind: 'redis', config: undefined };
  return { kind: 'redis', config: { kind: 'redis', url, keyPrefix, tlsRejectUnauthorized } };
}

/** The directory beside the SQLite file where generated secrets are kept. */
export const sqliteDirectory = (path: string): string => dirname(path);
