import { join } from 'node:path';
import type { KeyConfig } from '../config.ts';
import type { EnvironmentReader } from '../environment-reader.ts';
import { encryptionKey, privateJwks } from '../parsers/index.ts';
import { optionalVariable, type VariableGroup } from '../variable.ts';
import { sqliteDirectory, type StoreSection } from './store.ts';

export const OIDC_PROVIDER_JWKS = optionalVariable({
  name: 'OIDC_PROVIDER_JWKS',
  description:
    'The private signing keys of the authorization server, as a JSON array of private JWKs (`mcp-auth-proxy init` generates them).',
  example: '[{"kty":"OKP","crv":"Ed25519","kid":"key-1","x":"…","d":"…"}]',
  secret: true,
  heroku: { changed: 'optional; without it keys are generated once and kept in the store' },
  whenUnset: 'generated once and kept in the store',
  parse: privateJwks,
});

export const MCP_AUTH_PROXY_ENCRYPTION_KEY = optionalVariable({
  name: 'MCP_AUTH_PROXY_ENCRYPTION_KEY',
  description:
    'The 32-byte key that encrypts stored identity-provider tokens and signs cookies, as base64, base64url or 64 hex digits (`openssl rand -base64 32`).',
  example: '<output of openssl rand -base64 32>',
  secret: true,
  heroku: 'new',
  whenUnset:
    'derived from OIDC_PROVIDER_JWKS; else, with SQLite only, generated into encryption.key beside the database',
  parse: encryptionKey,
});

export const KEY_VARIABLES: VariableGroup = {
  title: 'Keys',
  variables: [OIDC_PROVIDER_JWKS, MCP_AUTH_PROXY_ENCRYPTION_KEY],
};

/** Undefined when a key is invalid or none can be resolved (a problem is recorded). */
export function readKeys(reader: EnvironmentReader, store: StoreSection): KeyConfig | undefined {
  const signingKeys = reader.maybe(OIDC_PROVIDER_JWKS);
  const explicitKey = reader.maybe(MCP_AUTH_PROXY_ENCRYPTION_KEY);
  if (reader.isSet(OIDC_PROVIDER_JWKS) && signingKeys === undefined) return undefined;
  if (reader.isSet(MCP_AUTH_PROXY_ENCRYPTION_KEY) && explicitKey === undefined) return undefined;

  if (explicitKey !== undefined)
    return { signingKeys, encryptionKey: { kind: 'explicit', key: explicitKey } };
  if (signingKeys !== undefined) return { signingKeys, encryptionKey: { kind: 'derived-from-signing-keys' } };
  if (store.config?.kind === 'sqlite') {
    const path = join(sqliteDirectory(store.config.path), 'encryption.key');
    return { signingKeys, encryptionKey: { kind: 'generated-file', path } };
  }
  if (store.kind === 'redis') {
    // A key generated per process would differ between instances sharing Redis:
    // each would fail to open the tokens the others sealed.
    reader.problem(
      MCP_AUTH_PROXY_ENCRYPTION_KEY,
      'MCP_AUTH_PROXY_ENCRYPTION_KEY or OIDC_PROVIDER_JWKS must be set when the store is Redis (MCP_AUTH_PROXY_REDIS_URL, _SENTINELS or _CLUSTER_NODES): every instance sharing the Redis must use the same encryption key. Generate one with `openssl rand -base64 32`.',
    );
  }
  return undefined;
}
