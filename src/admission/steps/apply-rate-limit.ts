import type { RateLimiter } from '../../http-kit/rate-limiter.ts';
import { writeRateLimitHeaders } from '../../http-kit/rate-limiter.ts';
import { OAuthError } from '../../oauth/oauth-error.ts';
import type { Observe } from '../../observability/index.ts';
import type { AdmitStep, StepResult, Verified } from '../admission.ts';
import type { McpReplies } from '../mcp-replies.ts';

export interface RateLimitOptions {
  /** Per grant on this server; absent = no limit. */
  readonly rateLimiter: RateLimiter | undefined;
  /** The server's id, for the event. */
  readonly server: string;
  readonly observe: Observe;
  readonly replies: McpReplies;
}

/** The per-grant limit: 429 with the RateLimit-* headers and Retry-After; the headers on every answer. */
export function applyRateLimit(options: RateLimitOptions): AdmitStep {
  const { rateLimiter, server, observe, replies } = options;
  if (rateLimiter === undefined) return { decide: () => 'next' };

  const limiter = rateLimiter;
  const decide = async (admission: Verified): Promise<StepResult> => {
    const limit = await (admission.rateLimitDecision ?? limiter.consume(admission.access.grantId));
    writeRateLimitHeaders(admission.res, limit);
    if (limit.allowed) return 'next';
    observe({ type: 'rate_limit.rejected', limiter: 'grant', server, request: admission.req });
    replies.error(
      admission.res,
      new OAuthError('rate_limited', `Too many requests; retry in ${limit.resetSeconds} s.`),
    );
    return 'answered';
  };

  return {
    start(admission) {
      admission.rateLimitDecision = limiter.consume(admission.access.grantId);
    },
    decide,
  };
}
