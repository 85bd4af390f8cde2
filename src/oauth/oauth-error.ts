/**
 * Errors that carry their OAuth error code (RFC 6749 §5.2, RFC 6750 §3.1,
 * RFC 7591 §3.2.2, RFC 8707 §2) and the HTTP status they are answered with.
 * One place (http/error-boundary) turns them into responses; anything that is
 * not an OAuthError is answered as `server_error` without its message.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_target'
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  | 'login_required'
  | 'interaction_required'
  | 'session_expired'
  | 'not_found'
  | 'method_not_allowed'
  | 'request_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'forbidden'
  | 'bad_gateway'
  | 'server_error'
  | 'temporarily_unavailable';

const DEFAULT_STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  unsupported_response_type: 400,
  invalid_scope: 400,
  access_denied: 403,
  invalid_token: 401,
  insufficient_scope: 403,
  invalid_target: 400,
  invalid_redirect_uri: 400,
  invalid_client_metadata: 400,
  login_required: 400,
  interaction_required: 400,
  session_expired: 401,
  not_found: 404,
  method_not_allowed: 405,
  request_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  forbidden: 403,
  bad_gateway: 502,
  server_error: 500,
  temporarily_unavailable: 503,
};

export interface OAuthErrorOptions {
  status?: number;
  /** Seconds for a `Retry-After` header (503, 429). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly status: number;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: OAuthErrorCode, description: string, options: OAuthErrorOptions = {}) {
    super(description, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OAuthError';
    this.code = code;
    this.status = options.status ?? DEFAULT_STATUS[code];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** The wire form: RFC 6749 §5.2 JSON. The description is written for the client, never a stack. */
  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.code, error_description: this.message };
  }
}

/**
 * A single-use credential (an authorization code, a refresh token being
 * rotated) that this request could not spend: another request spent,
 * revoked or replaced it first, possibly an instant earlier. RFC 6749 §4.1.2
 * and OAuth 2.1 §4.1.3 allow one exchange of a code; RFC 9700 §4.14.2 one
 * rotation of a refresh token.
 */
export class CredentialAlreadyConsumedError extends OAuthError {
  /** The oidc-provider model of the credential (`AuthorizationCode`, `RefreshToken`, …). */
  readonly modelName: string;

  constructor(modelName: string) {
    super('invalid_grant', 'The grant was already used.');
    this.name = 'CredentialAlreadyConsumedError';
    this.modelName = modelName;
  }
}
