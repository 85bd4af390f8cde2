import type { Clock } from '../shared/clock.ts';
import type { IdentityClientOptions, TokenEndpointAuthMethod } from './identity-client-options.ts';
import type { IdentityTokenSet } from './normalize-tokens.ts';
import { DEFAULT_IDENTITY_SCOPES, parseScope } from './scope.ts';
import type { PKCEStorageHook } from './storage-hook.ts';

/**
 * The environment variables the client reads: those of the Heroku adapter's
 * `fromEnvironment`, plus `IDENTITY_TIMEOUT_MS` and `NODE_ENV`.
 */
export interface IdentityEnvironment {
  /** Client id at the IdP. Required. */
  readonly IDENTITY_CLIENT_ID?: string | undefined;
  /** Client secret at the IdP; absent for a public client. */
  readonly IDENTITY_CLIENT_SECRET?: string | undefined;
  /** IdP issuer, for discovery. */
  readonly IDENTITY_SERVER_URL?: string | undefined;
  /** Path of a static metadata JSON file; takes precedence over discovery. */
  readonly IDENTITY_SERVER_METADATA_FILE?: string | undefined;
  /** Redirect URI registered at the IdP. Required. */
  readonly IDENTITY_REDIRECT_URI?: string | undefined;
  /** Scopes, space or comma separated. Default `openid profile email`. */
  readonly IDENTITY_SCOPE?: string | undefined;
  /** Limit for each IdP call in milliseconds. Default 10000. */
  readonly IDENTITY_TIMEOUT_MS?: string | undefined;
  /** `production` refuses the in-memory storage fallback. */
  readonly NODE_ENV?: string | undefined;
  readonly [name: string]: string | undefined;
}

/**
 * Options of `fromEnvironment`, named as in the Heroku adapter (`env`,
 * `storageHook`, `defaultScopes`, `customParameters`) plus this client's own.
 */
export interface FromEnvironmentOptions {
  /** The environment to read; `process.env` when absent. */
  readonly env?: IdentityEnvironment | undefined;
  readonly storageHook?: PKCEStorageHook | undefined;
  /** Scopes used when IDENTITY_SCOPE is unset or empty. */
  readonly defaultScopes?: readonly string[] | undefined;
  readonly customParameters?: Readonly<Record<string, string>> | undefined;
  readonly tokenEndpointAuthMethod?: TokenEndpointAuthMethod | undefined;
  /** Allow plain-http IdP endpoints (local development and tests only). */
  readonly allowInsecureHttp?: boolean | undefined;
  readonly clock?: Clock | undefined;
  readonly resolveUserId?: ((tokens: IdentityTokenSet) => Promise<string | undefined>) | undefined;
}

function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/**
 * Maps an environment to {@link IdentityClientOptions}, without reading any
 * global. Invalid values are passed through for `createIdentityClient` to
 * report, so that every problem is listed at once.
 */
export function identityClientOptionsFromEnvironment(
  env: IdentityEnvironment,
  options: Omit<FromEnvironmentOptions, 'env'> = {},
): IdentityClientOptions {
  const scopes = parseScope(env.IDENTITY_SCOPE);
  const timeout = present(env.IDENTITY_TIMEOUT_MS);
  return {
    clientId: present(env.IDENTITY_CLIENT_ID) ?? '',
    clientSecret: present(env.IDENTITY_CLIENT_SECRET),
    serverUrl: present(env.IDENTITY_SERVER_URL),
    metadataFile: present(env.IDENTITY_SERVER_METADATA_FILE),
    redirectUri: present(env.IDENTITY_REDIRECT_URI) ?? '',
    scope: scopes.length > 0 ? scopes : (options.defaultScopes ?? DEFAULT_IDENTITY_SCOPES),
    // Number('') would be 0 and Number('10s') NaN: both are reported by validation.
    timeoutMs: timeout === undefined ? undefined : Number(timeout),
    nodeEnv: env.NODE_ENV,
    storageHook: options.storageHook,
    customParameters: options.customParameters,
    tokenEndpointAuthMethod: options.tokenEndpointAuthMethod,
    allowInsecureHttp: options.allowInsecureHttp,
    clock: options.clock,
    resolveUserId: options.resolveUserId,
  };
}
