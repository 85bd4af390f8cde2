import * as client from 'openid-client';
import { nowSeconds } from '../shared/clock.ts';
import { constantTimeEqual, sha256Base64Url } from '../shared/crypto.ts';
import { fromAuthorizationErrorResponse, toIdentityProviderError } from './classify-failure.ts';
import {
  normalizeRedirectUri,
  resolveIdentityClientOptions,
  type IdentityClientOptions,
  type ResolvedIdentityClientOptions,
} from './identity-client-options.ts';
import { IdentityConfigurationError, IdentityProviderError } from './identity-provider-error.ts';
import {
  normalizeTokenResponse,
  userIdFromTokenResponse,
  withClaims,
  type IdentityTokens,
  type RawTokenResponse,
  type RefreshedTokens,
} from './normalize-tokens.ts';
import { loadProviderConfiguration, type ProviderConfiguration } from './provider-configuration.ts';
import { formatScope } from './scope.ts';
import type { IdentityProviderMetadata } from './server-metadata.ts';
import type { StoredPKCEState } from './storage-hook.ts';
import type { CompleteLoginInput, IdentityClient } from './identity-client.ts';

/** Upper bound on a `state` value; it is a storage key and travels in URLs. */
const MAX_STATE_CHARS = 512;

/**
 * The OIDC nonce (OIDC Core §3.1.2.1) is derived from the PKCE verifier, as
 * §15.5.2 suggests (a hash of a secret kept by the client), instead of being
 * stored beside it: a storage hook written for the Heroku adapter keeps only the
 * verifier, and `exchangeCode(code, verifier, redirectUri)` can still check it.
 */
function nonceFor(codeVerifier: string): string {
  return sha256Base64Url(`oidc-nonce:${codeVerifier}`);
}

function invalidCallback(message: string, issuer: string | undefined): IdentityProviderError {
  return new IdentityProviderError(message, {
    failure: 'invalid_callback',
    endpoint: 'authorization',
    issuer,
  });
}

class OpenIdIdentityClient implements IdentityClient {
  readonly #options: ResolvedIdentityClientOptions;
  #provider: ProviderConfiguration | undefined;
  #loading: Promise<ProviderConfiguration> | undefined;

  constructor(options: ResolvedIdentityClientOptions) {
    this.#options = options;
  }

  get metadata(): IdentityProviderMetadata | undefined {
    return this.#provider?.metadata;
  }

  get scopes(): readonly string[] {
    return this.#options.scopes;
  }

  get redirectUri(): string {
    return this.#options.redirectUri;
  }

  getProviderMetadata(): IdentityProviderMetadata | undefined {
    return this.metadata;
  }

  async initialize(): Promise<void> {
    await this.#ready();
  }

  #ready(): Promise<ProviderConfiguration> {
    if (this.#provider !== undefined) return Promise.resolve(this.#provider);
    this.#loading ??= loadProviderConfiguration(this.#options).then(
      (provider) => (this.#provider = provider),
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    );
    return this.#loading;
  }

  /** OpenID Connect when `openid` is requested and the IdP publishes keys to check id_tokens with. */
  #usesOpenIdConnect(provider: ProviderConfiguration): boolean {
    return this.#options.scopes.includes('openid') && provider.metadata.jwks_uri !== undefined;
  }

  async generateAuthUrl(state: string, redirectUri?: string): Promise<string> {
    if (typeof state !== 'string' || state.length === 0 || state.length > MAX_STATE_CHARS) {
      throw new TypeError(`state must be a non-empty string of at most ${MAX_STATE_CHARS} characters`);
    }
    const problems: string[] = [];
    const redirect =
      redirectUri === undefined ? this.#options.redirectUri : normalizeRedirectUri(redirectUri, problems);
    if (redirect === undefined) throw new IdentityConfigurationError(problems);
    const provider = await this.#ready();

    const codeVerifier = client.randomPKCECodeVerifier();
    const parameters: Record<string, string> = {
      ...this.#options.customParameters,
      response_type: 'code',
      redirect_uri: redirect,
      scope: formatScope(this.#options.scopes),
      state,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    };
    if (this.#usesOpenIdConnect(provider)) parameters['nonce'] = nonceFor(codeVerifier);

    const expiresAt = this.#options.clock.nowMs() + this.#options.pkceStateTtlMs;
    await this.#options.storageHook.storePKCEState(state, state, codeVerifier, expiresAt, {
      redirectUri: redirect,
    });
    return client.buildAuthorizationUrl(provider.config, parameters).href;
  }

  async exchangeCode(code: string, codeVerifier: string, redirectUri?: string): Promise<IdentityTokens> {
    const provider = await this.#ready();
    const params = new URLSearchParams({ code });
    // The low-level form never sees the authorization response, so its `iss`
    // (RFC 9207) was the caller's to check; openid-client insists on one when
    // the IdP advertises it.
    if (provider.metadata.authorization_response_iss_parameter_supported === true) {
      params.set('iss', provider.metadata.issuer);
    }
    const problems: string[] = [];
    const redirect =
      redirectUri === undefined ? this.#options.redirectUri : normalizeRedirectUri(redirectUri, problems);
    if (redirect === undefined) throw new IdentityConfigurationError(problems);
    return this.#grant(provider, params, { codeVerifier, redirectUri: redirect }, undefined);
  }

  async completeLogin(input: CompleteLoginInput): Promise<IdentityTokens> {
    const provider = await this.#ready();
    const issuer = provider.metadata.issuer;
    const params = input.params ?? URL.parse(String(input.callbackUrl))?.searchParams;
    if (params === undefined) throw invalidCallback('The callback URL cannot be parsed.', issuer);

    const returnedState = params.get('state');
    if (returnedState === null || !constantTimeEqual(returnedState, input.state)) {
      throw invalidCallback('The callback does not carry the state of this login.', issuer);
    }
    // RFC 9207 §2.4: a response from another issuer is a mix-up attack.
    const returnedIssuer = params.get('iss');
    if (
      returnedIssuer !== null
        ? returnedIssuer !== issuer
        : provider.metadata.authorization_response_iss_parameter_supported === true
    ) {
      throw invalidCallback('The callback does not come from the configured identity provider.', issuer);
    }

    const stored = await this.#options.storageHook.retrievePKCEState(input.state, input.state);
    if (stored === null) {
      throw invalidCallback(
        'No pending login matches this callback (unknown, expired or already used).',
        issuer,
      );
    }
    const pending: StoredPKCEState =
      typeof stored === 'string' ? { codeVerifier: stored, redirectUri: this.#options.redirectUri } : stored;

    if (params.has('error')) throw fromAuthorizationErrorResponse(params, issuer);
    if ((params.get('code') ?? '') === '')
      throw invalidCallback('The callback carries no authorization code.', issuer);
    return this.#grant(provider, params, pending, input.state);
  }

  async #grant(
    provider: ProviderConfiguration,
    params: URLSearchParams,
    pending: StoredPKCEState,
    expectedState: string | undefined,
  ): Promise<IdentityTokens> {
    // openid-client sends the callback URL without its query as redirect_uri;
    // redirect URIs carry no query (checked at configuration), so this is the
    // exact string of the authorization request (RFC 6749 §4.1.3).
    const callbackUrl = new URL(pending.redirectUri);
    callbackUrl.search = params.toString();
    const checks: client.AuthorizationCodeGrantChecks = { pkceCodeVerifier: pending.codeVerifier };
    if (expectedState !== undefined) checks.expectedState = expectedState;
    if (this.#usesOpenIdConnect(provider)) checks.expectedNonce = nonceFor(pending.codeVerifier);
    else checks.idTokenExpected = false;

    const context = {
      endpoint: 'token' as const,
      issuer: provider.metadata.issuer,
      endpointForUrl: provider.endpointForUrl,
    };
    let response: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
    try {
      response = await client.authorizationCodeGrant(provider.config, callbackUrl, checks);
    } catch (error) {
      throw toIdentityProviderError(error, context);
    }
    const raw = { ...response } as RawTokenResponse;
    const claims = response.claims();
    const tokens = withClaims(
      normalizeTokenResponse(raw, {
        nowSeconds: nowSeconds(this.#options.clock),
        requestedScopes: this.#options.scopes,
      }),
      claims,
    );
    const userId =
      userIdFromTokenResponse(raw, claims?.sub) ??
      (await this.#userInfoSubject(provider, tokens.accessToken)) ??
      (await this.#options.resolveUserId?.(tokens));
    if (userId === undefined || userId === '') {
      throw new IdentityProviderError(
        'The identity provider named no user: no id_token sub, user_id, id or userinfo sub.',
        {
          failure: 'misconfigured',
          endpoint: 'token',
          error: 'missing_user_id',
          issuer: provider.metadata.issuer,
        },
      );
    }
    return { ...tokens, userId };
  }

  /** Asks userinfo (OIDC Core §5.3) for `sub`, when the IdP has that endpoint. */
  async #userInfoSubject(provider: ProviderConfiguration, accessToken: string): Promise<string | undefined> {
    const userInfo = await this.#userInfo(provider, accessToken, undefined);
    const sub = userInfo?.['sub'];
    return typeof sub === 'string' && sub !== '' ? sub : undefined;
  }

  async fetchUserInfo(
    accessToken: string,
    expectedSubject?: string,
  ): Promise<Readonly<Record<string, unknown>> | undefined> {
    return await this.#userInfo(await this.#ready(), accessToken, expectedSubject);
  }

  async #userInfo(
    provider: ProviderConfiguration,
    accessToken: string,
    expectedSubject: string | undefined,
  ): Promise<Readonly<Record<string, unknown>> | undefined> {
    if (provider.metadata.userinfo_endpoint === undefined) return undefined;
    try {
      const subject = expectedSubject ?? client.skipSubjectCheck;
      return { ...(await client.fetchUserInfo(provider.config, accessToken, subject)) };
    } catch (error) {
      throw toIdentityProviderError(error, {
        endpoint: 'userinfo',
        issuer: provider.metadata.issuer,
        endpointForUrl: provider.endpointForUrl,
      });
    }
  }

  async refreshToken(refreshToken: string): Promise<RefreshedTokens> {
    const provider = await this.#ready();
    let response: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
    try {
      response = await client.refreshTokenGrant(provider.config, refreshToken);
    } catch (error) {
      throw toIdentityProviderError(error, {
        endpoint: 'token',
        issuer: provider.metadata.issuer,
        endpointForUrl: provider.endpointForUrl,
      });
    }
    const raw = { ...response } as RawTokenResponse;
    const claims = response.claims();
    const tokens = withClaims(
      normalizeTokenResponse(raw, {
        nowSeconds: nowSeconds(this.#options.clock),
        requestedScopes: this.#options.scopes,
        previousRefreshToken: refreshToken,
      }),
      claims,
    );
    const userId = userIdFromTokenResponse(raw, claims?.sub);
    return userId === undefined ? tokens : { ...tokens, userId };
  }
}

/**
 * Creates a client of one upstream identity provider. Validates the options at
 * once (all problems together); talks to the IdP only from `initialize()` on.
 * @throws IdentityConfigurationError
 */
export function createIdentityClient(options: IdentityClientOptions): IdentityClient {
  return new OpenIdIdentityClient(resolveIdentityClientOptions(options));
}
