import type { Observe } from '../../observability/index.ts';
import type { Logger } from '../../shared/logger.ts';
import type { AdmitStep, StepResult, Verified } from '../admission.ts';
import type { McpReplies } from '../mcp-replies.ts';
import type { StepUpPolicy } from '../ports.ts';
import { createScopeCheck, type ScopeVerdict } from '../scope-check.ts';

export interface StepUpOptions {
  /** The server's scope rules; absent = none, and no body is ever parsed. */
  readonly stepUp: StepUpPolicy | undefined;
  /** This server's protected resource metadata, named in the 403 challenge. */
  readonly resourceMetadataUrl: string;
  readonly server: string;
  readonly observe: Observe;
  readonly replies: McpReplies;
  readonly logger: Logger;
}

/**
 * Step-up (MCP authorization [11] §10.1.1): a POST whose operations need scopes
 * the token lacks gets one 403 `insufficient_scope` naming every scope the body
 * needs; a body that is not JSON, or whose Mcp-Method/Mcp-Name headers disagree
 * with it, gets 400. Decided last, on the body, after every other step let the
 * request through: a challenge is recorded (the next refresh is refused) only
 * for a request that would otherwise have gone upstream.
 */
export function applyStepUp(options: StepUpOptions): AdmitStep {
  const { stepUp, server, observe, replies, logger } = options;
  if (stepUp === undefined) return { decide: () => 'next' };
  const check = createScopeCheck({ ...stepUp, resourceMetadataUrl: options.resourceMetadataUrl, logger });

  const answer = async (admission: Verified, pending: Promise<ScopeVerdict>): Promise<StepResult> => {
    const verdict = await pending;
    if (admission.aborted) return 'answered';
    if (verdict === undefined) return 'next';
    if (verdict.kind === 'refused') {
      replies.error(admission.res, verdict.error);
      return 'answered';
    }
    const { access } = admission;
    observe({
      type: 'step_up.challenged',
      grantId: access.grantId,
      accountId: access.accountId,
      clientId: access.clientId,
      scopes: verdict.challenge.scopes,
      server,
      request: admission.req,
    });
    replies.scopeChallenge(admission.res, verdict.challenge);
    return 'answered';
  };

  return {
    decide(admission) {
      const { req, access, context } = admission;
      if (req.method !== 'POST') return 'next';
      // The stdio bridge has parsed the message already; the HTTP proxy hands over the bytes.
      if (admission.message !== undefined) {
        return answer(admission, check.message(admission.message, req.headers, access, context.requestId));
      }
      const body = admission.body;
      if (body === undefined || body.length === 0) return 'next';
      return answer(admission, check.body(body, req.headers, access, context.requestId));
    },
  };
}
