import {
  AuthorizationResponseError,
  ClientError,
  ResponseBodyError,
  WWWAuthenticateChallengeError,
} from 'openid-client';
import {
  IdentityProviderError,
  type IdentityProviderEndpoint,
  type IdentityProviderFailure,
} from './identity-provider-error.ts';
import { IdentityProviderRequestFailure } from './timed-fetch.ts';

/** Where a failure happened, as far as the caller knows. */
export interface FailureContext {
  /** The endpoint the caller was talking to. */
  readonly endpoint: IdentityProviderEndpoint;
  readonly issuer?: string | undefined;
  /** Maps a requested URL to its endpoint, so a JWKS fetch inside a token call is reported as `jwks`. */
  readonly endpointForUrl?: ((url: string) => IdentityProviderEndpoint | undefined) | undefined;
}

/** Errors the user caused at the authorization endpoint (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6). */
const USER_SIDE_AUTHORIZATION_ERRORS = new Set([
  'access_denied',
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
]);

/** RFC 6749 §4.1.2.1 and §5.2 codes that mean "try again later". */
const TRANSIENT_ERROR_CODES = new Set(['server_error', 'temporarily_unavailable']);

/** 429 and every 5xx are the IdP being busy or down, whatever the body says. */
function isTransientStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * Classifies an OAuth error code that the IdP sent, at a given endpoint. Only
 * `invalid_grant` at the token endpoint (RFC 6749 §5.2) and the user's own
 * refusals at the authorization endpoint are rejections of the user; anything
 * else the IdP refuses is about the proxy's client or request.
 */
export function classifyOAuthErrorCode(
  error: string,
  endpoint: IdentityProviderEndpoint,
  statusCode?: number,
): IdentityProviderFailure {
  if (TRANSIENT_ERROR_CODES.has(error)) return 'unavailable';
  if (statusCode !== undefined && isTransientStatus(statusCode)) return 'unavailable';
  if (endpoint === 'authorization')
    return USER_SIDE_AUTHORIZATION_ERRORS.has(error) ? 'rejected' : 'misconfigured';
  if (endpoint === 'token') return error === 'invalid_grant' ? 'rejected' : 'misconfigured';
  if (endpoint === 'userinfo') return error === 'invalid_token' ? 'rejected' : 'misconfigured';
  return 'misconfigured';
}

/**
 * A short, secret-free description of an error and its causes for logs.
 * openid-client attaches response bodies (which may hold tokens) as causes;
 * only Error messages and codes are kept, never those objects.
 */
export function describeCause(error: unknown): Error {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    parts.push(`${current.name}${typeof code === 'string' ? ` (${code})` : ''}: ${current.message}`);
    current = current.cause;
  }
  return new Error(parts.length > 0 ? parts.join(' <- ') : 'unknown failure');
}

function findRequestFailure(error: unknown): IdentityProviderRequestFailure | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth += 1) {
    if (current instanceof IdentityProviderRequestFailure) return current;
    current = current.cause;
  }
  return undefined;
}

function responseOf(value: unknown): Response | undefined {
  return value instanceof Response ? value : undefined;
}

/**
 * Turns anything thrown while talking to the IdP into an
 * {@link IdentityProviderError}. The single place that knows openid-client's
 * error classes, so the rest of the module reasons in failures, not classes.
 */
export function toIdentityProviderError(error: unknown, context: FailureContext): IdentityProviderError {
  if (error instanceof IdentityProviderError) return error;
  const endpointOf = (url: string | undefined): IdentityProviderEndpoint =>
    (url === undefined ? undefined : context.endpointForUrl?.(url)) ?? context.endpoint;
  const base = { issuer: context.issuer, cause: describeCause(error) };

  const requestFailure = findRequestFailure(error);
  if (requestFailure !== undefined) {
    const endpoint = endpointOf(requestFailure.url);
    const what = requestFailure.reason === 'timeout' ? 'did not answer in time' : 'could not be reached';
    return new IdentityProviderError(`The identity provider's ${endpoint} endpoint ${what}.`, {
      ...base,
      failure: 'unavailable',
      endpoint,
    });
  }

  if (error instanceof ResponseBodyError) {
    const endpoint = endpointOf(responseOf(error.response)?.url);
    return fromOAuthError(error.error, error.error_description, error.status, endpoint, base);
  }

  if (error instanceof WWWAuthenticateChallengeError) {
    const endpoint = endpointOf(responseOf(error.response)?.url);
    const challengeError = error.cause.find((challenge) => typeof challenge.parameters.error === 'string')
      ?.parameters.error;
    const code = challengeError ?? (endpoint === 'token' ? 'invalid_client' : 'invalid_token');
    return fromOAuthError(code, undefined, error.status, endpoint, base);
  }

  if (error instanceof AuthorizationResponseError) {
    return fromOAuthError(error.error, error.error_description, undefined, 'authorization', base);
  }

  if (error instanceof ClientError) {
    switch (error.code) {
      case 'OAUTH_TIMEOUT':
      case 'OAUTH_ABORT':
        return new IdentityProviderError(
          `The identity provider's ${context.endpoint} endpoint did not answer in time.`,
          {
            ...base,
            failure: 'unavailable',
            endpoint: context.endpoint,
          },
        );
      case 'OAUTH_RESPONSE_IS_NOT_CONFORM':
      case 'OAUTH_RESPONSE_IS_NOT_JSON': {
        const response = responseOf(error.cause);
        const endpoint = endpointOf(response?.url);
        const status = response?.status;
        if (status !== undefined && isTransientStatus(status)) {
          return new IdentityProviderError(
            `The identity provider's ${endpoint} endpoint answered HTTP ${status}.`,
            {
              ...base,
              failure: 'unavailable',
              endpoint,
              statusCode: status,
            },
          );
        }
        const failure = endpoint === 'discovery' && status === 404 ? 'misconfigured' : 'invalid_response';
        return new IdentityProviderError(
          `The identity provider's ${endpoint} endpoint gave an unexpected response${status === undefined ? '' : ` (HTTP ${status})`}.`,
          { ...base, failure, endpoint, statusCode: status },
        );
      }
      case 'OAUTH_HTTP_REQUEST_FORBIDDEN':
      case 'OAUTH_REQUEST_PROTOCOL_FORBIDDEN':
        return new IdentityProviderError(
          'The identity provider uses plain http; only https is allowed unless allowInsecureHttp is set.',
          { ...base, failure: 'misconfigured', endpoint: context.endpoint },
        );
      default:
        break;
    }
  }

  return new IdentityProviderError(
    `The identity provider's ${context.endpoint} response failed validation.`,
    { ...base, failure: 'invalid_response', endpoint: context.endpoint },
  );
}

/**
 * `error` and `error_description` may come from a callback URL anyone can
 * craft. The description is kept to the RFC 6749 §5.2 character set (%x20-21 /
 * %x23-5B / %x5D-7E); the code, which goes into messages, to the letters,
 * digits, `_`, `.` and `-` that every registered code uses. Both are bounded.
 */
const OAUTH_ERROR_CODE = /^[A-Za-z0-9_.-]+$/;
const OAUTH_ERROR_TEXT = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;
const MAX_ERROR_CODE_CHARS = 64;
const MAX_ERROR_DESCRIPTION_CHARS = 300;

function cleanErrorText(value: string | undefined, pattern: RegExp, maxChars: number): string | undefined {
  if (value === undefined || !pattern.test(value)) return undefined;
  return value.slice(0, maxChars);
}

function fromOAuthError(
  rawCode: string,
  rawDescription: string | undefined,
  statusCode: number | undefined,
  endpoint: IdentityProviderEndpoint,
  base: { issuer: string | undefined; cause: Error },
): IdentityProviderError {
  const code = cleanErrorText(rawCode, OAUTH_ERROR_CODE, MAX_ERROR_CODE_CHARS) ?? 'invalid_error';
  const description = cleanErrorText(rawDescription, OAUTH_ERROR_TEXT, MAX_ERROR_DESCRIPTION_CHARS);
  const failure = classifyOAuthErrorCode(code, endpoint, statusCode);
  const message =
    failure === 'unavailable'
      ? `The identity provider's ${endpoint} endpoint is unavailable (${code}).`
      : `The identity provider refused the ${endpoint} request (${code}).`;
  return new IdentityProviderError(message, {
    ...base,
    failure,
    endpoint,
    error: code,
    errorDescription: description,
    statusCode,
  });
}

/**
 * The error an authorization response carried back (RFC 6749 §4.1.2.1), relayed
 * as a typed error: `access_denied` is the user's refusal, `server_error` and
 * `temporarily_unavailable` are transient, anything else is misconfiguration.
 */
export function fromAuthorizationErrorResponse(
  params: URLSearchParams,
  issuer: string | undefined,
): IdentityProviderError {
  const cause = new Error('the authorization response carried an error');
  return fromOAuthError(
    params.get('error') ?? 'invalid_error',
    params.get('error_description') ?? undefined,
    undefined,
    'authorization',
    { issuer, cause },
  );
}
