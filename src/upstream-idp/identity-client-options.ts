import { systemClock, type Clock } from '../shared/clock.ts';
import { IdentityConfigurationError } from './identity-provider-error.ts';
import { createMemoryStorageHook } from './memory-storage-hook.ts';
import type { IdentityTokenSet } from './normalize-tokens.ts';
import { DEFAULT_IDENTITY_SCOPES, parseScope } from './scope.ts';
import { validateServerMetadata, type IdentityProviderMetadata } from './server-metadata.ts';
import type { PKCEStorageHook } from './storage-hook.ts';

/** How the client authenticates at the IdP token endpoint (RFC 6749 §2.3.1). */
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

/**
 * Options of {@link createIdentityClient}. The IdP is described by exactly one
 * source, in this order of precedence: `serverMetadata`, `metadataFile`,
 * `serverUrl` (the Heroku proxy also keeps IDENTITY_SERVER_URL for branding
 * when a metadata file is used, so giving both is not an error).
 */
export interface IdentityClientOptions {
  /** The client id registered at the IdP (IDENTITY_CLIENT_ID). */
  readonly clientId: string;
  /** The client secret (IDENTITY_CLIENT_SECRET); absent for a public client. */
  readonly clientSecret?: string | undefined;
  /** The IdP issuer, for discovery (IDENTITY_SERVER_URL). */
  readonly serverUrl?: string | URL | undefined;
  /** Static IdP metadata (RFC 8414 field names); skips discovery. */
  readonly serverMetadata?: IdentityProviderMetadata | undefined;
  /** A JSON file of static IdP metadata (IDENTITY_SERVER_METADATA_FILE), read by `initialize()`. */
  readonly metadataFile?: string | undefined;
  /** The redirect URI registered at the IdP (IDENTITY_REDIRECT_URI); no query or fragment. */
  readonly redirectUri: string;
  /** Scopes to request, as a list or space/comma separated (IDENTITY_SCOPE). Default `openid profile email`. */
  readonly scope?: string | readonly string[] | undefined;
  /** Extra authorization request parameters, e.g. Auth0 `audience`, Google `access_type=offline`. */
  readonly customParameters?: Readonly<Record<string, string>> | undefined;
  /** Default: `none` without a secret; else `client_secret_basic`, or `client_secret_post` when that is all the IdP lists. */
  readonly tokenEndpointAuthMethod?: TokenEndpointAuthMethod | undefined;
  /** The limit for each call to the IdP, in milliseconds (IDENTITY_TIMEOUT_MS). Default 10 000. */
  readonly timeoutMs?: number | undefined;
  /** Where pending logins wait; default an in-memory hook, refused when `nodeEnv` is `production`. */
  readonly storageHook?: PKCEStorageHook | undefined;
  /** How long a pending login stays valid, in seconds. Default 600. */
  readonly pkceStateExpirationSeconds?: number | undefined;
  /** NODE_ENV; `production` refuses the in-memory storage fallback. */
  readonly nodeEnv?: string | undefined;
  /** Allow plain-http IdP endpoints (local development and tests only). */
  readonly allowInsecureHttp?: boolean | undefined;
  readonly clock?: Clock | undefined;
  /**
   * Last resort for providers whose responses name no user (e.g. GitHub OAuth
   * apps): called with the tokens when neither id_token, token response nor
   * userinfo gave a user id.
   */
  readonly resolveUserId?: ((tokens: IdentityTokenSet) => Promise<string | undefined>) | undefined;
}

/** Where the IdP's metadata comes from, once the options are resolved. */
export type MetadataSource =
  | { readonly kind: 'discovery'; readonly serverUrl: URL }
  | { readonly kind: 'static'; readonly metadata: IdentityProviderMetadata }
  | { readonly kind: 'file'; readonly path: string };

/** The options after validation, with every default applied. */
export interface ResolvedIdentityClientOptions {
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly source: MetadataSource;
  /** Normalised (`new URL(...).href`) so the authorization and token requests carry the identical string. */
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly customParameters: Readonly<Record<string, string>>;
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod | undefined;
  readonly timeoutMs: number;
  readonly storageHook: PKCEStorageHook;
  readonly pkceStateTtlMs: number;
  readonly allowInsecureHttp: boolean;
  readonly clock: Clock;
  readonly resolveUserId: ((tokens: IdentityTokenSet) => Promise<string | undefined>) | undefined;
}

/** Default limit for one call to the IdP. */
export const DEFAULT_IDENTITY_TIMEOUT_MS = 10_000;
/** Longest accepted limit for one call to the IdP. */
const MAX_IDENTITY_TIMEOUT_MS = 300_000;
/** Default lifetime of a pending login (the Heroku adapter's 10 minutes). */
const DEFAULT_PKCE_STATE_EXPIRATION_SECONDS = 600;

/** Parameters this client sets itself; a custom parameter may not replace them. */
const RESERVED_AUTHORIZATION_PARAMETERS = new Set([
  'client_id',
  'response_type',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
]);

/**
 * Checks a redirect URI and returns its normalised form (`new URL(...).href`),
 * or records a problem and returns `undefined`.
 */
export function normalizeRedirectUri(value: string, problems: string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push('redirectUri (IDENTITY_REDIRECT_URI) must be an absolute URL');
    return undefined;
  }
  // RFC 6749 §3.1.2 forbids a fragment. A query is refused too: openid-client
  // rebuilds redirect_uri from the callback URL without its query, and the
  // token request must repeat the authorization request's value exactly.
  if (url.hash !== '' || url.search !== '' || value.includes('#') || value.includes('?')) {
    problems.push('redirectUri (IDENTITY_REDIRECT_URI) must have no query and no fragment');
    return undefined;
  }
  return url.href;
}

function checkServerUrl(
  value: string | URL,
  allowInsecureHttp: boolean,
  problems: string[],
): URL | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push('serverUrl (IDENTITY_SERVER_URL) must be an absolute URL');
    return undefined;
  }
  if (url.protocol !== 'https:' && !(allowInsecureHttp && url.protocol === 'http:')) {
    problems.push('serverUrl (IDENTITY_SERVER_URL) must use https (http only with allowInsecureHttp)');
    return undefined;
  }
  return url;
}

function isStorageHook(value: unknown): value is PKCEStorageHook {
  const hook = value as Partial<Record<keyof PKCEStorageHook, unknown>> | null;
  return (
    typeof hook === 'object' &&
    hook !== null &&
    typeof hook.storePKCEState === 'function' &&
    typeof hook.retrievePKCEState === 'function' &&
    typeof hook.cleanupExpiredState === 'function'
  );
}

/** The one source of the IdP's metadata, by precedence: static metadata, a metadata file, discovery. */
function metadataSourceOf(
  options: IdentityClientOptions,
  allowInsecureHttp: boolean,
  problems: string[],
): MetadataSource | undefined {
  if (options.serverMetadata !== undefined) {
    const checked = validateServerMetadata(options.serverMetadata, 'serverMetadata', allowInsecureHttp);
    problems.push(...checked.problems);
    return checked.metadata === undefined ? undefined : { kind: 'static', metadata: checked.metadata };
  }
  if (options.metadataFile !== undefined && options.metadataFile !== '') {
    return { kind: 'file', path: options.metadataFile };
  }
  if (options.serverUrl !== undefined && options.serverUrl !== '') {
    const serverUrl = checkServerUrl(options.serverUrl, allowInsecureHttp, problems);
    return serverUrl === undefined ? undefined : { kind: 'discovery', serverUrl };
  }
  problems.push(
    'one of serverUrl (IDENTITY_SERVER_URL), metadataFile (IDENTITY_SERVER_METADATA_FILE) or serverMetadata is required',
  );
  return undefined;
}

/** The hook given, checked, or the in-memory one (which production refuses). */
function storageHookOf(
  options: IdentityClientOptions,
  clock: Clock,
  problems: string[],
): PKCEStorageHook | undefined {
  if (options.storageHook !== undefined) {
    if (isStorageHook(options.storageHook)) return options.storageHook;
    problems.push('storageHook must implement storePKCEState, retrievePKCEState and cleanupExpiredState');
    return undefined;
  }
  try {
    return createMemoryStorageHook({ nodeEnv: options.nodeEnv, clock });
  } catch (error) {
    if (!(error instanceof IdentityConfigurationError)) throw error;
    problems.push(...error.problems);
    return undefined;
  }
}

/**
 * Validates the options and applies the defaults.
 * @throws IdentityConfigurationError listing every problem found.
 */
export function resolveIdentityClientOptions(options: IdentityClientOptions): ResolvedIdentityClientOptions {
  const problems: string[] = [];
  const allowInsecureHttp = options.allowInsecureHttp === true;
  const clock = options.clock ?? systemClock;

  if (typeof options.clientId !== 'string' || options.clientId.length === 0) {
    problems.push('clientId (IDENTITY_CLIENT_ID) is required');
  }

  const source = metadataSourceOf(options, allowInsecureHttp, problems);

  let redirectUri: string | undefined;
  if (typeof options.redirectUri === 'string' && options.redirectUri.length > 0) {
    redirectUri = normalizeRedirectUri(options.redirectUri, problems);
  } else {
    problems.push('redirectUri (IDENTITY_REDIRECT_URI) is required');
  }

  const parsedScopes = parseScope(options.scope);
  const scopes = parsedScopes.length > 0 ? parsedScopes : [...DEFAULT_IDENTITY_SCOPES];

  const customParameters = { ...options.customParameters };
  for (const name of Object.keys(customParameters)) {
    if (RESERVED_AUTHORIZATION_PARAMETERS.has(name)) {
      problems.push(`customParameters may not set "${name}": the client sets it`);
    }
  }

  const timeoutMs = options.timeoutMs ?? DEFAULT_IDENTITY_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_IDENTITY_TIMEOUT_MS) {
    problems.push(
      `timeoutMs (IDENTITY_TIMEOUT_MS) must be a whole number of milliseconds from 1 to ${MAX_IDENTITY_TIMEOUT_MS}`,
    );
  }

  const expirationSeconds = options.pkceStateExpirationSeconds ?? DEFAULT_PKCE_STATE_EXPIRATION_SECONDS;
  if (!Number.isFinite(expirationSeconds) || expirationSeconds <= 0) {
    problems.push('pkceStateExpirationSeconds must be a positive number of seconds');
  }

  const clientSecret = options.clientSecret === '' ? undefined : options.clientSecret;
  const authMethod = options.tokenEndpointAuthMethod;
  if (authMethod !== undefined && authMethod !== 'none' && clientSecret === undefined) {
    problems.push(`tokenEndpointAuthMethod ${authMethod} needs clientSecret (IDENTITY_CLIENT_SECRET)`);
  }

  const storageHook = storageHookOf(options, clock, problems);

  if (problems.length > 0 || source === undefined || redirectUri === undefined || storageHook === undefined) {
    throw new IdentityConfigurationError(problems);
  }
  return {
    clientId: options.clientId,
    clientSecret,
    source,
    redirectUri,
    scopes,
    customParameters,
    tokenEndpointAuthMethod: authMethod,
    timeoutMs,
    storageHook,
    pkceStateTtlMs: Math.round(expirationSeconds * 1000),
    allowInsecureHttp,
    clock,
    resolveUserId: options.resolveUserId,
  };
}
