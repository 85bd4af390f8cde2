import type { IncomingMessage } from 'node:http';
import { OAuthError } from '../oauth/oauth-error.ts';
import type { Logger } from '../shared/logger.ts';
import type { UpstreamTokenSource } from '../admission/index.ts';
import type { UpstreamClient, UpstreamExchange } from './upstream-client.ts';
import type { RequestHead } from './upstream-request-headers.ts';
import { replaceUpstreamToken } from './upstream-request-headers.ts';

export type ForwardOutcome =
  | { readonly kind: 'response'; readonly response: IncomingMessage }
  | { readonly kind: 'challenge'; readonly reason: 'upstream_refused' }
  | { readonly kind: 'error'; readonly error: OAuthError };

export interface ForwardRequest {
  readonly upstream: UpstreamClient;
  readonly upstreamTokens: UpstreamTokenSource;
  readonly exchange: UpstreamExchange;
  readonly requestId: string;
  readonly grantId: string;
  readonly method: string;
  readonly path: string;
  /** Headers with the identity already filled in; the token is replaced for the replay. */
  readonly head: RequestHead;
  readonly body: Buffer;
  /** The IdP access token the headers carry. */
  readonly token: string;
  readonly logger: Logger;
}

/**
 * Sends the request; when the MCP server answers 401 (the IdP token it was
 * given is no longer good), asks the token source for a new one exactly once
 * and replays the request once with it (heroku-compat §10 "On upstream 401").
 * A second 401, or an IdP that refuses the refresh, ends in our own 401
 * challenge so the MCP client re-authorizes; a transient IdP failure is a
 * 503 and leaves the grant alone.
 */
export async function forwardWithRefresh(request: ForwardRequest): Promise<ForwardOutcome> {
  const { exchange, logger, requestId, grantId } = request;
  const first = await send(request);
  if (first.kind !== 'response' || first.response.statusCode !== 401 || exchange.aborted) return first;
  // The refusal's body is not wanted; reading it returns the connection to the pool.
  first.response.resume();

  let refreshedToken: string;
  try {
    refreshedToken = await request.upstreamTokens.refresh(grantId, request.token);
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    const outcome = error.code === 'invalid_grant' ? 'refused' : 'unavailable';
    logger.warn({ event: 'proxy.upstream_refresh', requestId, grantId, outcome }, 'proxy.upstream_refresh');
    return outcome === 'refused'
      ? { kind: 'challenge', reason: 'upstream_refused' }
      : { kind: 'error', error };
  }
  logger.info(
    { event: 'proxy.upstream_refresh', requestId, grantId, outcome: 'refreshed' },
    'proxy.upstream_refresh',
  );
  if (exchange.aborted) return first;

  replaceUpstreamToken(request.head, refreshedToken);
  const second = await send(request);
  if (second.kind !== 'response' || second.response.statusCode !== 401) return second;
  second.response.resume();
  logger.warn(
    { event: 'proxy.upstream_rejected_refreshed_token', requestId, grantId },
    'proxy.upstream_rejected_refreshed_token',
  );
  return { kind: 'challenge', reason: 'upstream_refused' };
}

async function send(request: ForwardRequest): Promise<ForwardOutcome> {
  const { upstream, exchange, method, path, head, body } = request;
  try {
    return { kind: 'response', response: await upstream.send(exchange, method, path, head.headers, body) };
  } catch (error) {
    if (!exchange.aborted) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).name;
      request.logger.warn(
        { event: 'proxy.upstream_unreachable', requestId: request.requestId, reason },
        'proxy.upstream_unreachable',
      );
    }
    return { kind: 'error', error: new OAuthError('bad_gateway', 'The MCP server could not be reached.') };
  }
}
