import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { OAuthError } from '../oauth/oauth-error.ts';

/** RFC 6749 §4.1.2.1: the only codes an authorization error response may carry to the client. */
const AUTHORIZATION_ERROR_CODES: ReadonlySet<string> = new Set([
  'invalid_request',
  'unauthorized_client',
  'access_denied',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
]);

/**
 * What the MCP client's redirect URI gets for a failed upstream login. Only a
 * transient outage (503) is `temporarily_unavailable`. Codes such as
 * `invalid_grant` (the IdP refused our code exchange) or `bad_gateway` (an
 * id_token that failed validation) are not authorization-response codes, so
 * they become `server_error`.
 */
export function authorizationErrorCode(error: OAuthError): string {
  if (error.status === 503) return 'temporarily_unavailable';
  return AUTHORIZATION_ERROR_CODES.has(error.code) ? error.code : 'server_error';
}

/** Ends the interaction with an error for the client's redirect URI (RFC 6749 §4.1.2.1). */
export async function finishWithError(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  error: string,
  description: string,
): Promise<void> {
  await provider.interactionFinished(
    req,
    res,
    { error, error_description: description },
    { mergeWithLastSubmission: false },
  );
}
