import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { nowSeconds, type Clock } from '../shared/clock.ts';
import { constantTimeEqual, randomToken, sha256Base64Url } from '../shared/crypto.ts';

/** What an authorization request asked for, kept with its code until the code is redeemed. */
export interface AuthorizationRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly codeChallenge: string;
  readonly nonce: string | undefined;
}

/** A token response (RFC 6749 §5.1), with an id_token when `openid` was asked for (OIDC Core §3.1.3.3). */
export type TokenResponse = Readonly<Record<string, string | number>>;

/** Why a grant was refused; every case answers `invalid_grant` (RFC 6749 §5.2). */
export type GrantRefusal =
  'unknown_code' | 'code_reused' | 'redirect_uri_mismatch' | 'pkce_failed' | 'unknown_refresh_token';

interface CodeRecord {
  readonly request: AuthorizationRequest;
  readonly username: string;
  readonly expiresAtMs: number;
  used: boolean;
  /** Revoked when the code is replayed (RFC 6749 §4.1.2). */
  readonly accessTokens: string[];
}

interface TokenRecord {
  readonly username: string;
  readonly clientId: string;
  readonly scope: string;
  readonly expiresAtMs: number;
}

export interface DevelopmentIdpGrantsOptions {
  readonly issuer: string;
  readonly clock: Clock;
  readonly accessTokenTtlSeconds: number;
}

const CODE_TTL_MS = 60_000;
const REFRESH_TOKEN_TTL_MS = 30 * 24 * 60 * 60 * 1000;
const ID_TOKEN_TTL_SECONDS = 3600;
const SIGNING_ALGORITHM = 'RS256';

/**
 * Authorization codes, access and refresh tokens of the development identity
 * provider, in memory: a restart signs everyone out, which is what a demo wants.
 */
export class DevelopmentIdpGrants {
  readonly #options: DevelopmentIdpGrantsOptions;
  readonly #privateKey: CryptoKey;
  /** The public key as published at jwks_uri. */
  readonly publicJwk: JWK;
  readonly #codes = new Map<string, CodeRecord>();
  readonly #accessTokens = new Map<string, TokenRecord>();
  readonly #refreshTokens = new Map<string, TokenRecord>();

  private constructor(options: DevelopmentIdpGrantsOptions, privateKey: CryptoKey, publicJwk: JWK) {
    this.#options = options;
    this.#privateKey = privateKey;
    this.publicJwk = publicJwk;
  }

  /** Generates a fresh signing key for this run. */
  static async create(options: DevelopmentIdpGrantsOptions): Promise<DevelopmentIdpGrants> {
    const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALGORITHM);
    const kid = randomToken(9);
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALGORITHM, use: 'sig' };
    return new DevelopmentIdpGrants(options, privateKey, publicJwk);
  }

  /** A single-use code for `username` (RFC 6749 §4.1.2). */
  issueCode(request: AuthorizationRequest, username: string): string {
    this.#sweep();
    const code = randomToken();
    this.#codes.set(code, {
      request,
      username,
      expiresAtMs: this.#nowMs() + CODE_TTL_MS,
      used: false,
      accessTokens: [],
    });
    return code;
  }

  /**
   * Authorization code grant (RFC 6749 §4.1.3): the code is live and unused,
   * was issued to this client, the redirect URI is the one of the authorization
   * request, and the verifier matches the S256 challenge (RFC 7636 §4.6).
   */
  async redeemCode(
    clientId: string,
    code: string,
    redirectUri: string,
    codeVerifier: string,
  ): Promise<TokenResponse | GrantRefusal> {
    const record = this.#codes.get(code);
    if (record === undefined || record.request.clientId !== clientId || record.expiresAtMs <= this.#nowMs()) {
      return 'unknown_code';
    }
    if (record.used) {
      for (const token of record.accessTokens) this.#accessTokens.delete(token);
      return 'code_reused';
    }
    record.used = true;
    if (redirectUri !== record.request.redirectUri) return 'redirect_uri_mismatch';
    if (!constantTimeEqual(sha256Base64Url(codeVerifier), record.request.codeChallenge)) return 'pkce_failed';
    const response = await this.#issueTokens(
      record.username,
      clientId,
      record.request.scope,
      record.request.nonce,
    );
    record.accessTokens.push(String(response['access_token']));
    return response;
  }

  /** Refresh token grant (RFC 6749 §6) with rotation: the presented token is spent. */
  async refresh(clientId: string, refreshToken: string): Promise<TokenResponse | GrantRefusal> {
    const record = this.#refreshTokens.get(refreshToken);
    if (record === undefined || record.clientId !== clientId || record.expiresAtMs <= this.#nowMs()) {
      return 'unknown_refresh_token';
    }
    this.#refreshTokens.delete(refreshToken);
    // OIDC Core §12.2: a refreshed id_token carries no nonce.
    return await this.#issueTokens(record.username, clientId, record.scope, undefined);
  }

  /** The user an access token was issued to, while it is live (userinfo, the example MCP server). */
  userForAccessToken(accessToken: string): string | undefined {
    const record = this.#accessTokens.get(accessToken);
    return record !== undefined && record.expiresAtMs > this.#nowMs() ? record.username : undefined;
  }

  async #issueTokens(
    username: string,
    clientId: string,
    scope: string,
    nonce: string | undefined,
  ): Promise<TokenResponse> {
    const accessToken = randomToken();
    const refreshToken = randomToken();
    const { accessTokenTtlSeconds } = this.#options;
    const now = this.#nowMs();
    this.#accessTokens.set(accessToken, {
      username,
      clientId,
      scope,
      expiresAtMs: now + accessTokenTtlSeconds * 1000,
    });
    this.#refreshTokens.set(refreshToken, {
      username,
      clientId,
      scope,
      expiresAtMs: now + REFRESH_TOKEN_TTL_MS,
    });
    const response: Record<string, string | number> = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: accessTokenTtlSeconds,
      refresh_token: refreshToken,
      scope,
    };
    if (scope.split(' ').includes('openid')) {
      response['id_token'] = await this.#idToken(username, clientId, nonce);
    }
    return response;
  }

  /** OIDC Core §2: iss, sub, aud, exp, iat, and the nonce of the authorization request. */
  async #idToken(username: string, clientId: string, nonce: string | undefined): Promise<string> {
    const issuedAt = nowSeconds(this.#options.clock);
    const claims: Record<string, string | number> = { auth_time: issuedAt, preferred_username: username };
    if (nonce !== undefined) claims['nonce'] = nonce;
    return await new SignJWT(claims)
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: String(this.publicJwk.kid) })
      .setIssuer(this.#options.issuer)
      .setSubject(username)
      .setAudience(clientId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ID_TOKEN_TTL_SECONDS)
      .sign(this.#privateKey);
  }

  /** Drops expired records so that a long-running demo does not grow without bound. */
  #sweep(): void {
    const now = this.#nowMs();
    for (const [code, record] of this.#codes) if (record.expiresAtMs <= now) this.#codes.delete(code);
    for (const table of [this.#accessTokens, this.#refreshTokens]) {
      for (const [token, record] of table) if (record.expiresAtMs <= now) table.delete(token);
    }
  }

  #nowMs(): number {
    return this.#options.clock.nowMs();
  }
}
