import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientError, ResponseBodyError } from 'openid-client';
import {
  classifyOAuthErrorCode,
  fromAuthorizationErrorResponse,
  toIdentityProviderError,
} from '../../../src/upstream-idp/classify-failure.ts';
import { IdentityProviderError } from '../../../src/upstream-idp/identity-provider-error.ts';
import { IdentityProviderRequestFailure } from '../../../src/upstream-idp/timed-fetch.ts';
import { OAuthError } from '../../../src/oauth/oauth-error.ts';

const TOKEN_URL = 'https://idp.example.com/token';
const context = {
  endpoint: 'token' as const,
  issuer: 'https://idp.example.com',
  endpointForUrl: (url: string) => (url.endsWith('/jwks') ? ('jwks' as const) : undefined),
};

/** openid-client's ClientError takes a `code` option that its typings do not declare. */
function clientError(message: string, cause: unknown, code: string): ClientError {
  const Constructor = ClientError as unknown as new (message: string, options: object) => ClientError;
  return new Constructor(message, { cause, code });
}

function bodyError(status: number, body: Record<string, string>): ResponseBodyError {
  const response = new Response(JSON.stringify(body), { status });
  Object.defineProperty(response, 'url', { value: TOKEN_URL });
  // openid-client builds these itself; the constructor is public but not in its types.
  const Constructor = ResponseBodyError as unknown as new (
    message: string,
    options: object,
  ) => ResponseBodyError;
  return new Constructor('server responded with an error in the response body', { cause: body, response });
}

describe('classifyOAuthErrorCode', () => {
  it('treats invalid_grant at the token endpoint as a rejection of the user', () => {
    assert.equal(classifyOAuthErrorCode('invalid_grant', 'token', 400), 'rejected');
  });

  it('treats the IdP refusing the proxy client as misconfiguration, not a rejection', () => {
    for (const code of ['invalid_client', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope']) {
      assert.equal(classifyOAuthErrorCode(code, 'token', 400), 'misconfigured', code);
    }
  });

  it('treats 5xx, 429, server_error and temporarily_unavailable as transient whatever the code', () => {
    assert.equal(classifyOAuthErrorCode('invalid_grant', 'token', 503), 'unavailable');
    assert.equal(classifyOAuthErrorCode('slow_down', 'token', 429), 'unavailable');
    assert.equal(classifyOAuthErrorCode('temporarily_unavailable', 'authorization'), 'unavailable');
    assert.equal(classifyOAuthErrorCode('server_error', 'token', 400), 'unavailable');
  });

  it('treats the user refusing at the authorization endpoint as a rejection', () => {
    assert.equal(classifyOAuthErrorCode('access_denied', 'authorization'), 'rejected');
    assert.equal(classifyOAuthErrorCode('login_required', 'authorization'), 'rejected');
    assert.equal(classifyOAuthErrorCode('invalid_request', 'authorization'), 'misconfigured');
  });
});

describe('toIdentityProviderError', () => {
  it('reports a timeout as transient: 503, Retry-After, temporarily_unavailable', () => {
    const failure = new IdentityProviderRequestFailure(
      'timeout',
      TOKEN_URL,
      new DOMException('t', 'TimeoutError'),
    );
    const error = toIdentityProviderError(
      new ClientError('something went wrong', { cause: failure }),
      context,
    );
    assert.ok(error instanceof OAuthError);
    assert.equal(error.transient, true);
    assert.equal(error.rejected, false);
    assert.equal(error.status, 503);
    assert.equal(error.retryAfterSeconds, 5);
    assert.equal(error.code, 'temporarily_unavailable');
    assert.equal(error.statusCode, undefined);
  });

  it('names the JWKS endpoint when the key fetch inside a token call fails', () => {
    const failure = new IdentityProviderRequestFailure(
      'network',
      'https://idp.example.com/jwks',
      new TypeError('fetch failed'),
    );
    assert.equal(toIdentityProviderError(failure, context).endpoint, 'jwks');
  });

  it('reports invalid_grant as a rejection carrying the IdP error and status', () => {
    const error = toIdentityProviderError(
      bodyError(400, { error: 'invalid_grant', error_description: 'expired' }),
      context,
    );
    assert.equal(error.failure, 'rejected');
    assert.equal(error.rejected, true);
    assert.equal(error.code, 'invalid_grant');
    assert.equal(error.error, 'invalid_grant');
    assert.equal(error.error_description, 'expired');
    assert.equal(error.statusCode, 400);
    assert.equal(error.endpoint, 'token');
  });

  it('does not relay the IdP invalid_client as the proxy client’s error', () => {
    const error = toIdentityProviderError(bodyError(401, { error: 'invalid_client' }), context);
    assert.equal(error.failure, 'misconfigured');
    assert.equal(error.code, 'server_error');
    assert.equal(error.error, 'invalid_client');
  });

  it('reports an OAuth error body with a 5xx status as transient', () => {
    assert.equal(toIdentityProviderError(bodyError(502, { error: 'server_error' }), context).transient, true);
  });

  it('reports a non-conforming 503 response as transient and a 404 discovery as misconfiguration', () => {
    const unavailable = clientError(
      'unexpected HTTP response status code',
      new Response('down', { status: 503 }),
      'OAUTH_RESPONSE_IS_NOT_CONFORM',
    );
    assert.equal(toIdentityProviderError(unavailable, context).transient, true);
    const missing = clientError(
      'unexpected HTTP response status code',
      new Response('nope', { status: 404 }),
      'OAUTH_RESPONSE_IS_NOT_CONFORM',
    );
    const error = toIdentityProviderError(missing, { endpoint: 'discovery' });
    assert.equal(error.failure, 'misconfigured');
    assert.equal(error.statusCode, 404);
  });

  it('reports a failed id_token check as an invalid response, 502, without the token in its cause', () => {
    const claimFailure = clientError(
      'unexpected JWT claim value encountered',
      { claims: { nonce: 'x' }, body: { access_token: 'secret-access-token' } },
      'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
    );
    const error = toIdentityProviderError(claimFailure, context);
    assert.equal(error.failure, 'invalid_response');
    assert.equal(error.status, 502);
    assert.equal(String((error.cause as Error).message).includes('secret-access-token'), false);
    assert.equal(error.message.includes('secret-access-token'), false);
  });

  it('returns an IdentityProviderError unchanged', () => {
    const original = new IdentityProviderError('x', { failure: 'rejected', endpoint: 'token' });
    assert.equal(toIdentityProviderError(original, context), original);
  });
});

describe('fromAuthorizationErrorResponse', () => {
  it('relays access_denied as a rejection answered with access_denied (403)', () => {
    const error = fromAuthorizationErrorResponse(
      new URLSearchParams({ error: 'access_denied', state: 's' }),
      'https://i',
    );
    assert.equal(error.failure, 'rejected');
    assert.equal(error.code, 'access_denied');
    assert.equal(error.status, 403);
    assert.equal(error.endpoint, 'authorization');
  });

  it('relays temporarily_unavailable as transient', () => {
    const error = fromAuthorizationErrorResponse(
      new URLSearchParams({ error: 'temporarily_unavailable' }),
      undefined,
    );
    assert.equal(error.transient, true);
  });

  it('keeps a crafted error code or description out of messages', () => {
    const error = fromAuthorizationErrorResponse(
      new URLSearchParams({ error: '<script>alert(1)</script>', error_description: 'a"b\\c' }),
      undefined,
    );
    assert.equal(error.error, 'invalid_error');
    assert.equal(error.error_description, undefined);
    assert.equal(error.message.includes('<script>'), false);
  });
});
