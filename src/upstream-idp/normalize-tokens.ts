/**
 * A token endpoint response as the IdP sent it (RFC 6749 §5.1), with the
 * provider's own additional fields (Heroku `user_id`, `session_nonce`;
 * Salesforce `id`, `instance_url`, `signature`, `issued_at`).
 */
export interface RawTokenResponse {
  readonly access_token: string;
  readonly token_type?: string | undefined;
  readonly expires_in?: number | undefined;
  readonly refresh_token?: string | undefined;
  readonly id_token?: string | undefined;
  readonly scope?: string | undefined;
  readonly [field: string]: unknown;
}

/** The tokens of one token response, in one shape whatever the provider. */
export interface IdentityTokenSet {
  /** The IdP access token, to be sent upstream as a bearer token. */
  readonly accessToken: string;
  /** The IdP refresh token; on refresh, the previous one when the IdP does not rotate. */
  readonly refreshToken?: string;
  /** The raw id_token, when the IdP sent one (already validated). */
  readonly idToken?: string;
  /** The validated id_token's claims, when the IdP sent one (what access rules read: groups, roles, email). */
  readonly idTokenClaims?: Readonly<Record<string, unknown>>;
  /** `Bearer` (or `DPoP`), with RFC 6750 capitalisation whatever the IdP wrote. */
  readonly tokenType: string;
  /** The granted scopes, space separated; the requested ones when the IdP omitted it (RFC 6749 §5.1). */
  readonly scope?: string;
  /** Seconds the access token lives, as the IdP reported it. */
  readonly expiresIn?: number;
  /** When the access token expires, in epoch seconds, computed from `expiresIn` and the injected clock. */
  readonly expiresAt?: number;
  /** Every other field of the token response, untouched (e.g. `instance_url`, `user_id`, `session_nonce`). */
  readonly extras: Readonly<Record<string, unknown>>;
}

/** Tokens from a completed login: the user id is always known. */
export interface IdentityTokens extends IdentityTokenSet {
  /** The user's stable id at the IdP; see {@link userIdFromTokenResponse} for the rule. */
  readonly userId: string;
}

/**
 * Tokens from a refresh. The user id is present when the response carries one
 * (a new id_token, `user_id`, `id`); refresh does not call userinfo.
 */
export interface RefreshedTokens extends IdentityTokenSet {
  readonly userId?: string;
}

/** Fields with a meaning of their own in RFC 6749 §5.1 / OIDC Core §3.1.3.3; the rest are extras. */
const STANDARD_FIELDS = new Set([
  'access_token',
  'token_type',
  'expires_in',
  'refresh_token',
  'id_token',
  'scope',
]);

/** What normalisation needs besides the response itself. */
export interface NormalizeContext {
  /** Now, in epoch seconds, from the injected clock. */
  readonly nowSeconds: number;
  /** The scopes that were requested, used when the response omits `scope`. */
  readonly requestedScopes: readonly string[];
  /** On refresh: the refresh token that was used, kept when the IdP does not rotate. */
  readonly previousRefreshToken?: string | undefined;
}

function capitaliseTokenType(tokenType: string | undefined): string {
  const lower = (tokenType ?? 'bearer').toLowerCase();
  if (lower === 'bearer') return 'Bearer';
  if (lower === 'dpop') return 'DPoP';
  return tokenType ?? 'Bearer';
}

/**
 * Brings a token response into the {@link IdentityTokenSet} shape. Scope is
 * re-joined with spaces, because some providers (GitHub) separate it with commas.
 */
export function normalizeTokenResponse(raw: RawTokenResponse, context: NormalizeContext): IdentityTokenSet {
  const extras: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!STANDARD_FIELDS.has(name) && typeof value !== 'function') extras[name] = value;
  }
  const scopes = typeof raw.scope === 'string' ? raw.scope.split(/[\s,]+/).filter(Boolean) : [];
  const scope = (scopes.length > 0 ? scopes : context.requestedScopes).join(' ');
  const refreshToken = raw.refresh_token ?? context.previousRefreshToken;
  const expiresIn =
    typeof raw.expires_in === 'number' && Number.isFinite(raw.expires_in) ? raw.expires_in : undefined;
  return {
    accessToken: raw.access_token,
    tokenType: capitaliseTokenType(raw.token_type),
    extras,
    ...(refreshToken !== undefined && { refreshToken }),
    ...(raw.id_token !== undefined && { idToken: raw.id_token }),
    ...(scope.length > 0 && { scope }),
    ...(expiresIn !== undefined && { expiresIn, expiresAt: context.nowSeconds + expiresIn }),
  };
}

function asIdentifier(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

/**
 * The user id rule, first match wins:
 *
 * 1. the validated id_token's `sub` (OIDC Core §2: unique and never reassigned
 *    within the issuer);
 * 2. `user_id` in the token response (Heroku);
 * 3. `id` in the token response (Salesforce: the identity URL);
 * 4. otherwise `undefined`; the caller may then ask userinfo for its `sub`.
 *
 * The Heroku MCP Auth Proxy keyed accounts on `user_id`/`id`, so for those
 * providers (which send no id_token) the ids stay the same after a migration.
 */
export function userIdFromTokenResponse(
  raw: RawTokenResponse,
  idTokenSubject: string | undefined,
): string | undefined {
  return asIdentifier(idTokenSubject) ?? asIdentifier(raw['user_id']) ?? asIdentifier(raw['id']);
}

/** The validated id_token's claims beside the tokens, as a plain object (openid-client's has a prototype of its own). */
export function withClaims<T extends object>(
  tokens: T,
  claims: Readonly<Record<string, unknown>> | undefined,
): T & { idTokenClaims?: Readonly<Record<string, unknown>> } {
  return claims === undefined ? tokens : { ...tokens, idTokenClaims: { ...claims } };
}
