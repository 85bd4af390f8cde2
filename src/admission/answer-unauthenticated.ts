import type { IncomingMessage, ServerResponse } from 'node:http';
import { writeRateLimitHeaders } from '../http-kit/rate-limiter.ts';
import { OAuthError } from '../oauth/oauth-error.ts';
import type { AdmitUnauthenticated } from './ports.ts';
import type { ChallengeReason, McpReplies } from './mcp-replies.ts';

/** Answers a request without a valid access token; resolves once answered. */
export type AnswerUnauthenticated = (
  req: IncomingMessage,
  res: ServerResponse,
  reason: ChallengeReason,
) => Promise<'answered'>;

/**
 * The answer to an MCP request without a valid access token: our 401
 * challenge, or 429 once the client's address has spent MAX_REQUESTS
 * (`admit`; absent = not counted).
 */
export function answerUnauthenticated(
  replies: McpReplies,
  admit: AdmitUnauthenticated | undefined,
): AnswerUnauthenticated {
  return async (req, res, reason) => {
    if (admit !== undefined) {
      const decision = await admit(req);
      writeRateLimitHeaders(res, decision);
      if (!decision.allowed) {
        replies.error(
          res,
          new OAuthError('rate_limited', `Too many requests; retry in ${decision.resetSeconds} s.`),
        );
        return 'answered';
      }
    }
    replies.challenge(res, reason);
    return 'answered';
  };
}
