import type { IdentityTokens, RefreshedTokens } from './normalize-tokens.ts';
import type { IdentityProviderMetadata } from './server-metadata.ts';

/** The redirect back from the IdP, as its query parameters or as the whole URL. */
export type CompleteLoginInput = { readonly state: string } & (
  | { readonly params: URLSearchParams; readonly callbackUrl?: never }
  | { readonly callbackUrl: string | URL; readonly params?: never }
);

/** A client of one upstream identity provider (OpenID Connect or plain OAuth 2.0). */
export interface IdentityClient {
  /** The IdP's metadata once {@link IdentityClient.initialize} has succeeded, else `undefined`. */
  readonly metadata: IdentityProviderMetadata | undefined;
  /** The scopes requested from the IdP. */
  readonly scopes: readonly string[];
  /** The default redirect URI, normalised. */
  readonly redirectUri: string;
  /**
   * Loads the IdP's metadata (discovery or static). Idempotent; concurrent
   * calls share one load; a failed load is retried by the next call. Every
   * other method calls it first, so calling it up front only moves failures
   * to start-up.
   * @throws IdentityProviderError (discovery) or IdentityConfigurationError (metadata file).
   */
  initialize(): Promise<void>;
  /** Same as {@link IdentityClient.metadata}; the Heroku adapter's accessor name. */
  getProviderMetadata(): IdentityProviderMetadata | undefined;
  /**
   * Builds the authorization URL (RFC 6749 §4.1.1) with PKCE S256 (RFC 7636),
   * `state`, `scope`, and a `nonce` when the IdP is OpenID Connect; saves the
   * pending login through the storage hook, keyed by `state`.
   * @param state - Unguessable and unique per login (the proxy uses the interaction id).
   * @param redirectUri - Overrides the configured redirect URI for this login.
   */
  generateAuthUrl(state: string, redirectUri?: string): Promise<string>;
  /**
   * Exchanges an authorization code (the Heroku adapter's low-level form): the
   * caller has already checked `state`. The id_token, when present, is
   * validated, nonce included.
   */
  exchangeCode(code: string, codeVerifier: string, redirectUri?: string): Promise<IdentityTokens>;
  /**
   * Finishes a login from the IdP's redirect: checks `state` and `iss`, takes
   * the pending login (single use), relays an IdP `error` as a typed error,
   * exchanges the code with the exact redirect URI of the authorization
   * request, validates the id_token and resolves the user id.
   * @throws IdentityProviderError
   */
  completeLogin(input: CompleteLoginInput): Promise<IdentityTokens>;
  /**
   * Refresh Token Grant (RFC 6749 §6). Keeps the old refresh token when the IdP
   * does not rotate. A returned `userId` should be compared with the grant's
   * (OIDC Core §12.2).
   * @throws IdentityProviderError; `rejected` means the grant is gone, `transient` means retry later.
   */
  refreshToken(refreshToken: string): Promise<RefreshedTokens>;
  /**
   * The userinfo response (OIDC Core §5.3) for this access token: the claims
   * an IdP such as Okta sends only there (groups). Undefined when the IdP has
   * no userinfo endpoint. With `expectedSubject`, a response for another
   * subject is refused (§5.3.2).
   * @throws IdentityProviderError
   */
  fetchUserInfo(
    accessToken: string,
    expectedSubject?: string,
  ): Promise<Readonly<Record<string, unknown>> | undefined>;
}
