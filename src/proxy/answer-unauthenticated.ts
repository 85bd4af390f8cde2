import type { IncomingMessage, ServerResponse } from 'node:http';
import { writeRateLimitHeaders } from '../http-kit/rate-limiter.ts';
import { OAuthError } from '../oauth/oauth-error.ts';
import type { AdmitUnauthenticated } from './ports.ts';
import type { ChallengeReason, ProxyReplies } from './proxy-replies.ts';

/**
 * The answer to an MCP request without a valid access token: our 401
 * challenge, or 429 once the client's address has spent MAX_REQUESTS. The
 * HTTP proxy and the stdio bridge both answer through here.
 */
export async function answerUnauthenticated(
  req: IncomingMessage,
  res: ServerResponse,
  reason: ChallengeReason,
  replies: ProxyReplies,
  admit: AdmitUnauthenticated | undefined,
): Promise<void> {
  if (admit !== undefined) {
    const decision = await admit(req);
    writeRateLimitHeaders(res, decision);
    if (!decision.allowed) {
      return replies.error(
        res,
        new OAuthError('rate_limited', `Too many requests; retry in ${decision.resetSeconds} s.`),
      );
    }
  }
  replies.challenge(res, reason);
}
