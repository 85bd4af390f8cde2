/**
 * The upstream identity-provider client, published as `mcp-auth-proxy/identity`.
 *
 * Shaped after `@heroku/oauth-provider-adapters-for-mcp` (`fromEnvironment`,
 * `initialize`, `generateAuthUrl`, `exchangeCode`, `refreshToken`, the
 * `PKCEStorageHook`), with a higher-level `completeLogin` and typed errors.
 */
import {
  identityClientOptionsFromEnvironment,
  type FromEnvironmentOptions,
  type IdentityEnvironment,
} from './from-environment.ts';
import type { CompleteLoginInput, IdentityClient } from './identity-client.ts';
import { createIdentityClient as createClient } from './openid-identity-client.ts';
import type { IdentityClientOptions } from './identity-client-options.ts';

export type {
  CompleteLoginInput,
  IdentityClient,
  FromEnvironmentOptions,
  IdentityEnvironment,
  IdentityClientOptions,
};
export { DEFAULT_IDENTITY_TIMEOUT_MS, type TokenEndpointAuthMethod } from './identity-client-options.ts';
export {
  IdentityConfigurationError,
  IdentityProviderError,
  type IdentityProviderEndpoint,
  type IdentityProviderErrorDetails,
  type IdentityProviderFailure,
} from './identity-provider-error.ts';
export type {
  IdentityTokenSet,
  IdentityTokens,
  RawTokenResponse,
  RefreshedTokens,
} from './normalize-tokens.ts';
export type { IdentityProviderMetadata } from './server-metadata.ts';
export type { PKCEStateDetails, PKCEStorageHook, StoredPKCEState } from './storage-hook.ts';
export { createMemoryStorageHook, type MemoryStorageHookOptions } from './memory-storage-hook.ts';
export {
  createKeyValueStorageHook,
  type KeyValueStorageHookOptions,
  type KeyValueStorageHookStore,
} from './key-value-storage-hook.ts';
export type { KeyValueStore } from '../store/key-value-store.ts';
export type { Clock } from '../shared/clock.ts';
export { DEFAULT_IDENTITY_SCOPES, parseScope } from './scope.ts';
export { identityClientOptionsFromEnvironment };

// This file is the library's public boundary, the counterpart of src/config/
// for programs that embed the client: it alone may fall back to process.env,
// and only when the caller passed no environment. The proxy itself always
// passes its validated Config values, so it never reaches these fallbacks.

/**
 * Creates a client of one upstream identity provider; see {@link IdentityClientOptions}.
 * When `nodeEnv` is not given at all, `process.env.NODE_ENV` decides whether the
 * in-memory storage fallback is refused (as in the Heroku adapter).
 * @throws IdentityConfigurationError listing every problem in the options.
 */
export function createIdentityClient(options: IdentityClientOptions): IdentityClient {
  return createClient('nodeEnv' in options ? options : { ...options, nodeEnv: process.env['NODE_ENV'] });
}

/**
 * Creates a client from IDENTITY_* environment variables (see
 * {@link IdentityEnvironment}), reading `options.env` or else `process.env`.
 * Does not contact the IdP; call `initialize()` or use {@link fromEnvironmentAsync}.
 * @throws IdentityConfigurationError
 */
export function fromEnvironment(options: FromEnvironmentOptions = {}): IdentityClient {
  const env: IdentityEnvironment = options.env ?? process.env;
  return createClient(identityClientOptionsFromEnvironment(env, options));
}

/**
 * {@link fromEnvironment}, then `initialize()`: resolves once the IdP's metadata is loaded.
 * @throws IdentityConfigurationError, IdentityProviderError
 */
export async function fromEnvironmentAsync(options: FromEnvironmentOptions = {}): Promise<IdentityClient> {
  const identityClient = fromEnvironment(options);
  await identityClient.initialize();
  return identityClient;
}
