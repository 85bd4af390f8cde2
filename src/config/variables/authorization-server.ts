import type { AuthorizationServerConfig } from '../config.ts';
import type { EnvironmentReader } from '../environment-reader.ts';
import { integerInRange, parseBoolean, parseScopeList, positiveInteger } from '../parsers/index.ts';
import { defaultedVariable, optionalVariable, type VariableGroup } from '../variable.ts';

export const PROVIDER_SCOPE = defaultedVariable({
  name: 'PROVIDER_SCOPE',
  description:
    "The scopes of the proxy's own authorization server, separated by spaces or commas: advertised, used when a client asks for none, and granted on every login.",
  example: 'openid offline_access',
  heroku: 'same',
  defaultRaw: 'openid offline_access',
  parse: parseScopeList,
});

export const MCP_AUTH_PROXY_ACCESS_TOKEN_TTL_SECONDS = defaultedVariable({
  name: 'MCP_AUTH_PROXY_ACCESS_TOKEN_TTL_SECONDS',
  description: 'The lifetime of the access tokens the proxy issues to MCP clients.',
  example: '900',
  heroku: 'new',
  defaultRaw: '3600',
  parse: positiveInteger,
});

export const MCP_AUTH_PROXY_REFRESH_TOKEN_TTL_SECONDS = defaultedVariable({
  name: 'MCP_AUTH_PROXY_REFRESH_TOKEN_TTL_SECONDS',
  description:
    'The lifetime of the refresh tokens the proxy issues to MCP clients (14 days, as in the Heroku proxy).',
  example: '2592000',
  heroku: 'new',
  defaultRaw: '1209600',
  parse: positiveInteger,
});

export const MCP_AUTH_PROXY_REFRESH_TOKEN_GRACE_SECONDS = defaultedVariable({
  name: 'MCP_AUTH_PROXY_REFRESH_TOKEN_GRACE_SECONDS',
  description:
    'How long a rotated refresh token is still accepted, for clients that send the same refresh twice (0 turns this off).',
  example: '30',
  heroku: 'new',
  defaultRaw: '60',
  parse: integerInRange(0, Number.MAX_SAFE_INTEGER),
});

export const MCP_AUTH_PROXY_CIMD_ALLOW_PRIVATE_ADDRESSES = optionalVariable({
  name: 'MCP_AUTH_PROXY_CIMD_ALLOW_PRIVATE_ADDRESSES',
  description:
    'Fetch client ID metadata documents (https client_id URLs) from loopback and private network addresses too; for local development only.',
  example: 'false',
  heroku: 'new',
  whenUnset: 'the value of LOCAL_INSECURE',
  parse: parseBoolean,
});

export const AUTHORIZATION_SERVER_VARIABLES: VariableGroup = {
  title: 'Authorization server',
  variables: [
    PROVIDER_SCOPE,
    MCP_AUTH_PROXY_ACCESS_TOKEN_TTL_SECONDS,
    MCP_AUTH_PROXY_REFRESH_TOKEN_TTL_SECONDS,
    MCP_AUTH_PROXY_REFRESH_TOKEN_GRACE_SECONDS,
    MCP_AUTH_PROXY_CIMD_ALLOW_PRIVATE_ADDRESSES,
  ],
};

export function readAuthorizationServer(
  reader: EnvironmentReader,
  localInsecure: boolean,
): AuthorizationServerConfig {
  return {
    scopes: reader.value(PROVIDER_SCOPE),
    accessTokenTtlSeconds: reader.value(MCP_AUTH_PROXY_ACCESS_TOKEN_TTL_SECONDS),
    refreshTokenTtlSeconds: reader.value(MCP_AUTH_PROXY_REFRESH_TOKEN_TTL_SECONDS),
    refreshTokenReuseGraceSeconds: reader.value(MCP_AUTH_PROXY_REFRESH_TOKEN_GRACE_SECONDS),
    cimdAllowPrivateAddresses: reader.maybe(MCP_AUTH_PROXY_CIMD_ALLOW_PRIVATE_ADDRESSES) ?? localInsecure,
  };
}
