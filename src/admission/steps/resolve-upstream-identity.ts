import type { AdmitStep, StepResult, Verified } from '../admission.ts';
import type { McpReplies } from '../mcp-replies.ts';
import type { UpstreamTokenSource } from '../ports.ts';
import { settle, valueOf } from '../settle.ts';

/**
 * The user's IdP access token for the grant, which the MCP server gets instead
 * of ours (no token passthrough, MCP authorization §11.8). A grant without one
 * is challenged, so the client authorizes again. The stdio bridge decides this
 * step alone, when a session opens.
 */
export function resolveUpstreamIdentity(upstreamTokens: UpstreamTokenSource, replies: McpReplies): AdmitStep {
  const decide = async (admission: Verified): Promise<StepResult> => {
    const lookup = admission.upstreamTokenLookup ?? settle(upstreamTokens.current(admission.access.grantId));
    const token = valueOf(await lookup);
    if (token === undefined) {
      replies.challenge(admission.res, 'no_upstream_token');
      return 'answered';
    }
    admission.upstreamToken = token;
    return 'next';
  };
  return {
    start(admission) {
      admission.upstreamTokenLookup = settle(upstreamTokens.current(admission.access.grantId));
    },
    decide,
  };
}
