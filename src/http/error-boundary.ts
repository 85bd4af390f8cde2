import type { IncomingMessage, ServerResponse } from 'node:http';
import { OAuthError, type OAuthErrorCode } from '../oauth/oauth-error.ts';
import type { Logger } from '../shared/logger.ts';
import { refuseOversizedBody, RequestTooLargeError } from '../http-kit/refuse-oversized-body.ts';
import { sendOAuthError } from '../http-kit/respond.ts';

/**
 * The one place where an error becomes a response (style.md rule 3). OAuth
 * errors keep their code and description; oidc-provider's own errors (which
 * carry `expose`, `statusCode` and the code as `message`) are understood too;
 * anything else is logged with the request id and answered as `server_error`
 * without its message.
 */
export function toOAuthError(error: unknown): OAuthError | undefined {
  if (error instanceof OAuthError) return error;
  const candidate = error as {
    expose?: unknown;
    statusCode?: unknown;
    message?: unknown;
    error_description?: unknown;
  };
  if (
    candidate?.expose === true &&
    typeof candidate.statusCode === 'number' &&
    typeof candidate.message === 'string'
  ) {
    const status = candidate.statusCode;
    const description =
      typeof candidate.error_description === 'string' ? candidate.error_description : candidate.message;
    return new OAuthError(candidate.message as OAuthErrorCode, description, {
      status,
      ...(status === 503 ? { retryAfterSeconds: 5 } : {}),
    });
  }
  return undefined;
}

export interface ErrorBoundaryOptions {
  logger: Logger;
  requestId: string;
  /** Renders an HTML error page instead of JSON (browser-facing routes). */
  renderPage?: ((error: OAuthError) => Promise<void>) | undefined;
}

export async function answerError(
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  options: ErrorBoundaryOptions,
): Promise<void> {
  // Never a page: the client is still uploading, and has to be able to read the answer.
  if (error instanceof RequestTooLargeError) return refuseOversizedBody(req, res, error.limitBytes);
  let oauthError = toOAuthError(error);
  if (oauthError === undefined) {
    options.logger.error(
      { event: 'http.unhandled_error', requestId: options.requestId, err: error },
      'http.unhandled_error',
    );
    oauthError = new OAuthError('server_error', 'the server could not complete the request');
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (options.renderPage !== undefined) {
    try {
      await options.renderPage(oauthError);
      return;
    } catch (renderError) {
      options.logger.error(
        { event: 'http.error_page_failed', requestId: options.requestId, err: renderError },
        'http.error_page_failed',
      );
    }
  }
  sendOAuthError(res, oauthError);
}
