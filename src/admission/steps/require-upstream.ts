import { DependencyUnavailableError } from '../../http-kit/dependency-unavailable-error.ts';
import type { AuthenticateStep } from '../admission.ts';
import type { McpReplies } from '../mcp-replies.ts';
import type { IsUpstreamAvailable } from '../ports.ts';

/** A supervised MCP server that is not running gets nothing: 503 with Retry-After, not a connection attempt. */
export function requireUpstream(
  isUpstreamAvailable: IsUpstreamAvailable,
  replies: McpReplies,
): AuthenticateStep {
  return (admission) => {
    if (isUpstreamAvailable()) return 'next';
    replies.error(
      admission.res,
      new DependencyUnavailableError('mcp_server', 'The MCP server is not running.'),
    );
    return 'answered';
  };
}
