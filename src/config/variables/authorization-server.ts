import type { AuthorizationServerConfig } from '../config.ts';
import type { EnvironmentReader } from '../environment-reader.ts';
import type { ScopePolicy } from '../../oauth/scope-policy.ts';
import { EMPTY_SCOPE_POLICY, stepUpOnlyScopes } from '../../oauth/scope-policy.ts';
import {
  integerInRange,
  parseBoolean,
  parseScopeList,
  positiveInteger,
  scopeIncludes,
  scopeRules,
} from '../parsers/index.ts';
import { defaultedVariable, optionalVariable, type VariableGroup } from '../variable.ts';

export const PROVIDER_SCOPE = defaultedVariable({
  name: 'PROVIDER_SCOPE',
  description:
    "The scopes of the proxy's own authorization server, separated by spaces or commas: advertised, used when a client asks for none, and granted on every login (except the scopes MCP_AUTH_PROXY_SCOPE_RULES reserves for step-up).",
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

export const MCP_AUTH_PROXY_REFRESH_TOKEN_REUSE_DETECTION_SECONDS = defaultedVariable({
  name: 'MCP_AUTH_PROXY_REFRESH_TOKEN_REUSE_DETECTION_SECONDS',
  description:
    'How long a rotated refresh token is remembered after its first use, so that presenting it again revokes the whole grant as token theft (RFC 9700 §4.14.2); after that a replay is only refused. At least MCP_AUTH_PROXY_REFRESH_TOKEN_GRACE_SECONDS; never longer than the grant lives.',
  example: '604800',
  heroku: 'new',
  defaultRaw: '86400',
  parse: positiveInteger,
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

export const MCP_AUTH_PROXY_SCOPE_RULES = optionalVariable({
  name: 'MCP_AUTH_PROXY_SCOPE_RULES',
  description:
    'Scopes that MCP operations need beyond a valid token, as `method [name]=scope …` rules separated by `;` (the name is a tool or prompt name or a resource URI, `*` matches any run of characters). A token without them gets a 403 `insufficient_scope` challenge and the client authorizes again for them (step-up). The scopes must be in PROVIDER_SCOPE; clients that name no scope get only the scopes no rule requires.',
  example: 'tools/call delete_*=files:write; resources/read=files:read',
  heroku: 'new',
  whenUnset: 'none: every valid token may use every operation, and the MCP server decides',
  parse: scopeRules,
});

export const MCP_AUTH_PROXY_SCOPE_INCLUDES = optionalVariable({
  name: 'MCP_AUTH_PROXY_SCOPE_INCLUDES',
  description:
    'Scopes that include others, as `scope=included-scope …` entries separated by `;`: a token with the broader scope satisfies rules that need the narrower one, and is never challenged for it. The scopes must be in PROVIDER_SCOPE.',
  example: 'files:write=files:read; admin=files:write',
  heroku: 'new',
  whenUnset: 'no scope includes another',
  parse: scopeIncludes,
});

export const AUTHORIZATION_SERVER_VARIABLES: VariableGroup = {
  title: 'Authorization server',
  variables: [
    PROVIDER_SCOPE,
    MCP_AUTH_PROXY_ACCESS_TOKEN_TTL_SECONDS,
    MCP_AUTH_PROXY_REFRESH_TOKEN_TTL_SECONDS,
    MCP_AUTH_PROXY_REFRESH_TOKEN_GRACE_SECONDS,
    MCP_AUTH_PROXY_REFRESH_TOKEN_REUSE_DETECTION_SECONDS,
    MCP_AUTH_PROXY_CIMD_ALLOW_PRIVATE_ADDRESSES,
    MCP_AUTH_PROXY_SCOPE_RULES,
    MCP_AUTH_PROXY_SCOPE_INCLUDES,
  ],
};

export function readAuthorizationServer(
  reader: EnvironmentReader,
  localInsecure: boolean,
): AuthorizationServerConfig {
  const scopes = reader.value(PROVIDER_SCOPE);
  const scopePolicy = readScopePolicy(reader, scopes);
  const stepUpOnly = stepUpOnlyScopes(scopePolicy, scopes);
  const refreshTokenReuseGraceSeconds = reader.value(MCP_AUTH_PROXY_REFRESH_TOKEN_GRACE_SECONDS);
  const refreshTokenReuseDetectionSeconds = reader.value(
    MCP_AUTH_PROXY_REFRESH_TOKEN_REUSE_DETECTION_SECONDS,
  );
  // Within the grace a reuse is answered from the consumed record, so the record must still be there.
  if (refreshTokenReuseDetectionSeconds < refreshTokenReuseGraceSeconds) {
    reader.problem(
      MCP_AUTH_PROXY_REFRESH_TOKEN_REUSE_DETECTION_SECONDS,
      `MCP_AUTH_PROXY_REFRESH_TOKEN_REUSE_DETECTION_SECONDS (${refreshTokenReuseDetectionSeconds}) is shorter than MCP_AUTH_PROXY_REFRESH_TOKEN_GRACE_SECONDS (${refreshTokenReuseGraceSeconds}); a rotated refresh token must be remembered at least as long as it is accepted again.`,
    );
  }
  return {
    scopes,
    defaultScopes: scopes.filter((scope) => !stepUpOnly.has(scope)),
    scopePolicy,
    accessTokenTtlSeconds: reader.value(MCP_AUTH_PROXY_ACCESS_TOKEN_TTL_SECONDS),
    refreshTokenTtlSeconds: reader.value(MCP_AUTH_PROXY_REFRESH_TOKEN_TTL_SECONDS),
    refreshTokenReuseGraceSeconds,
    refreshTokenReuseDetectionSeconds,
    cimdAllowPrivateAddresses: reader.maybe(MCP_AUTH_PROXY_CIMD_ALLOW_PRIVATE_ADDRESSES) ?? localInsecure,
  };
}

/** The step-up policy, checked against PROVIDER_SCOPE: a rule for a scope the server never grants could never be met. */
function readScopePolicy(reader: EnvironmentReader, scopes: readonly string[]): ScopePolicy {
  const rules = reader.maybe(MCP_AUTH_PROXY_SCOPE_RULES);
  const includes = reader.maybe(MCP_AUTH_PROXY_SCOPE_INCLUDES);
  if (rules === undefined && includes === undefined) return EMPTY_SCOPE_POLICY;
  const known = new Set(scopes);
  const unknownIn = (named: Iterable<string>) => [...new Set(named)].filter((scope) => !known.has(scope));
  const unknownRuled = unknownIn((rules ?? []).flatMap((rule) => rule.scopes));
  if (unknownRuled.length > 0) {
    reader.problem(
      MCP_AUTH_PROXY_SCOPE_RULES,
      `MCP_AUTH_PROXY_SCOPE_RULES requires ${unknownRuled.join(', ')}, which PROVIDER_SCOPE does not list; add ${unknownRuled.length === 1 ? 'it' : 'them'} to PROVIDER_SCOPE so that clients can be granted ${unknownRuled.length === 1 ? 'it' : 'them'}.`,
    );
  }
  const unknownIncluded = unknownIn(
    Object.entries(includes ?? {}).flatMap(([scope, included]) => [scope, ...included]),
  );
  if (unknownIncluded.length > 0) {
    reader.problem(
      MCP_AUTH_PROXY_SCOPE_INCLUDES,
      `MCP_AUTH_PROXY_SCOPE_INCLUDES names ${unknownIncluded.join(', ')}, which PROVIDER_SCOPE does not list.`,
    );
  }
  const policy = { rules: rules ?? [], includes: includes ?? {} };
  const stepUpOnly = stepUpOnlyScopes(policy, scopes);
  if (scopes.every((scope) => stepUpOnly.has(scope))) {
    reader.problem(
      MCP_AUTH_PROXY_SCOPE_RULES,
      'MCP_AUTH_PROXY_SCOPE_RULES requires every scope of PROVIDER_SCOPE, which leaves nothing to grant a client that names no scope; keep at least one scope (such as openid) out of the rules.',
    );
  }
  return policy;
}
