import { context, trace, type Tracer } from '@opentelemetry/api';
import type { VerifyAccessToken } from '../proxy/index.ts';
import { ACCESS_CACHE_HIT } from './semantic-attributes.ts';

/**
 * The access-token check as an INTERNAL span `access_token.verify` whose
 * `mcp_auth_proxy.access_cache.hit` says whether the cache answered: the
 * authorization server's verifier (the store read) is wrapped before the cache
 * is put in front of it, and marks the span a miss when it is called. The
 * token is never recorded.
 */
export function traceAccessCheck(
  tracer: Tracer,
  cache: (verify: VerifyAccessToken) => VerifyAccessToken,
  verify: VerifyAccessToken,
): VerifyAccessToken {
  const cached = cache((token) => {
    trace.getSpan(context.active())?.setAttribute(ACCESS_CACHE_HIT, false);
    return verify(token);
  });
  return (token) => {
    const parent = context.active();
    const span = tracer.startSpan(
      'access_token.verify',
      { attributes: { [ACCESS_CACHE_HIT]: true } },
      parent,
    );
    return context.with(trace.setSpan(parent, span), cached, undefined, token).finally(() => span.end());
  };
}
