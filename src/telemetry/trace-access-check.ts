import { context, trace, type Tracer } from '@opentelemetry/api';
import type { VerifyAccessToken } from '../admission/index.ts';
import { inSpan } from './in-span.ts';
import { ACCESS_CACHE_HIT } from './semantic-attributes.ts';

/**
 * The access-token check, traced at the cost of what it does: the request's
 * span gets `mcp_auth_proxy.access_cache.hit`, and only a miss, which reads the
 * store through the authorization server, is a span of its own
 * (`access_token.verify`, with its store calls as children). A hit is a hash
 * and a map lookup: a span for it would cost more than the check. The
 * authorization server's verifier is wrapped before the cache is put in front
 * of it, so it is called exactly on a miss. The token is never recorded.
 */
export function traceAccessCheck(
  tracer: Tracer,
  cache: (verify: VerifyAccessToken) => VerifyAccessToken,
  verify: VerifyAccessToken,
): VerifyAccessToken {
  const cached = cache((token) => {
    trace.getSpan(context.active())?.setAttribute(ACCESS_CACHE_HIT, false);
    return inSpan(tracer, 'access_token.verify', 'internal', {}, () => verify(token));
  });
  return (token) => {
    trace.getSpan(context.active())?.setAttribute(ACCESS_CACHE_HIT, true);
    return cached(token);
  };
}
