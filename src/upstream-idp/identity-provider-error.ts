import { OAuthError, type OAuthErrorCode, type OAuthErrorOptions } from '../oauth/oauth-error.ts';

/** The identity provider endpoint a call was made to when it failed. */
export type IdentityProviderEndpoint = 'discovery' | 'authorization' | 'token' | 'userinfo' | 'jwks';

/**
 * What went wrong, decided once so that callers branch on a word instead of
 * on HTTP statuses and library error classes:
 *
 * - `unavailable`: the IdP could not answer (network error, timeout, 5xx, 429,
 *   or an authorization response `error=server_error|temporarily_unavailable`,
 *   RFC 6749 §4.1.2.1). Transient: answer 503 and revoke nothing.
 * - `rejected`: the IdP refused the user's credential or login (`invalid_grant`
 *   at the token endpoint, `access_denied` at the authorization endpoint, a 401
 *   from userinfo). On refresh this means the grant cannot be renewed.
 * - `misconfigured`: the IdP refused the proxy's own client or request
 *   (`invalid_client`, `unauthorized_client`, `invalid_scope`, a missing
 *   discovery document, no user id in any response). An operator must act;
 *   revoking users' grants would not help.
 * - `invalid_response`: the IdP answered with something that failed validation
 *   (id_token signature, `iss`, `aud`, `exp` or `nonce`; a malformed body).
 * - `invalid_callback`: the redirect back from the IdP does not belong to a
 *   pending login (unknown, expired, replayed or mismatched `state`; no `code`).
 */
export type IdentityProviderFailure =
  'unavailable' | 'rejected' | 'misconfigured' | 'invalid_response' | 'invalid_callback';

/** Everything an {@link IdentityProviderError} is built from. */
export interface IdentityProviderErrorDetails {
  readonly failure: IdentityProviderFailure;
  readonly endpoint: IdentityProviderEndpoint;
  /** The IdP's own OAuth error code, when it sent one (e.g. `invalid_grant`). */
  readonly error?: string | undefined;
  /** The IdP's own `error_description`, kept for logs; never shown to clients. */
  readonly errorDescription?: string | undefined;
  /** The HTTP status the IdP answered with, when it answered at all. */
  readonly statusCode?: number | undefined;
  /** The IdP's issuer identifier, when known. */
  readonly issuer?: string | undefined;
  /** A sanitised description of the underlying failure (never a token or secret). */
  readonly cause?: unknown;
}

/** Seconds a client is told to wait after a transient IdP failure. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * How each failure is answered by the proxy. Only `unavailable` becomes a 503;
 * the IdP's own codes are not relayed as ours (an `invalid_client` from the IdP
 * is about the proxy's client, not the MCP client that would read it).
 */
function wireCode(failure: IdentityProviderFailure, endpoint: IdentityProviderEndpoint): OAuthErrorCode {
  switch (failure) {
    case 'unavailable':
      return 'temporarily_unavailable';
    case 'rejected':
      return endpoint === 'authorization' ? 'access_denied' : 'invalid_grant';
    case 'misconfigured':
      return 'server_error';
    case 'invalid_response':
      return 'bad_gateway';
    case 'invalid_callback':
      return 'invalid_request';
  }
}

/**
 * A failure of a call to the upstream identity provider, typed so that the
 * proxy can tell a transient outage (answer 503, keep the grant) from a
 * rejection (the user's upstream grant is gone).
 *
 * The property names `error`, `error_description`, `statusCode`, `endpoint` and
 * `issuer` match the normalised error of `@heroku/oauth-provider-adapters-for-mcp`.
 * `code` and `status` are inherited from {@link OAuthError}: they are what the
 * proxy answers its own client with. The message never contains a token,
 * authorization code, PKCE verifier or client secret.
 */
export class IdentityProviderError extends OAuthError {
  /** The kind of failure; see {@link IdentityProviderFailure}. */
  readonly failure: IdentityProviderFailure;
  /** Which IdP endpoint failed. */
  readonly endpoint: IdentityProviderEndpoint;
  /** The IdP's OAuth error code when it sent one, otherwise the same value as `code`. */
  readonly error: string;
  /** The IdP's `error_description`, for logs. */
  readonly error_description: string | undefined;
  /** The IdP's HTTP status; `undefined` when no response arrived (network error, timeout). */
  readonly statusCode: number | undefined;
  /** The IdP's issuer identifier, when known. */
  readonly issuer: string | undefined;

  /**
   * @param message - Written for a client or a log line; must not contain secrets.
   * @param details - See {@link IdentityProviderErrorDetails}.
   */
  constructor(message: string, details: IdentityProviderErrorDetails) {
    const code = wireCode(details.failure, details.endpoint);
    const options: OAuthErrorOptions = {};
    if (details.failure === 'unavailable') {
      options.status = 503;
      options.retryAfterSeconds = UNAVAILABLE_RETRY_AFTER_SECONDS;
    }
    if (details.cause !== undefined) options.cause = details.cause;
    super(code, message, options);
    this.name = 'IdentityProviderError';
    this.failure = details.failure;
    this.endpoint = details.endpoint;
    this.error = details.error ?? code;
    this.error_description = details.errorDescription;
    this.statusCode = details.statusCode;
    this.issuer = details.issuer;
  }

  /** True for network errors, timeouts, 5xx and 429: retry later, revoke nothing. */
  get transient(): boolean {
    return this.failure === 'unavailable';
  }

  /** True when the IdP refused the user's credential: on refresh, the grant is gone. */
  get rejected(): boolean {
    return this.failure === 'rejected';
  }
}

/**
 * The identity client's options are invalid. Every problem is listed at once
 * (style rule 10) so that an operator fixes them in one pass.
 */
export class IdentityConfigurationError extends Error {
  /** One sentence per problem, naming the option and its environment variable. */
  readonly problems: readonly string[];

  /** @param problems - At least one problem description. */
  constructor(problems: readonly string[]) {
    super(`Invalid identity provider configuration: ${problems.join('; ')}`);
    this.name = 'IdentityConfigurationError';
    this.problems = problems;
  }
}
