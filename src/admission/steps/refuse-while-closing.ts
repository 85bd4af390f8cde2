import type { StandaloneStreams } from '../../http-kit/standalone-streams.ts';
import { DependencyUnavailableError } from '../../http-kit/dependency-unavailable-error.ts';
import type { AdmitStep, AuthenticateStep } from '../admission.ts';
import type { McpReplies } from '../mcp-replies.ts';

const SHUTTING_DOWN = 'The proxy is shutting down.';

export interface ClosingOptions {
  /** True once the server's transport has begun to close. */
  readonly isClosing: () => boolean;
  /** The open GET streams; absent = not tracked. */
  readonly standaloneStreams?: StandaloneStreams | undefined;
  readonly replies: McpReplies;
}

/** The first step: nothing new starts while the transport closes (503, Retry-After). */
export function refuseWhileClosing(options: ClosingOptions): AuthenticateStep {
  const { isClosing, standaloneStreams, replies } = options;
  return (admission) => {
    // A stream opened during shutdown would be ended at once: the client is told to come back instead.
    const closing = isClosing() || (admission.req.method === 'GET' && standaloneStreams?.ending === true);
    if (!closing) return 'next';
    replies.error(admission.res, new DependencyUnavailableError('mcp_server', SHUTTING_DOWN));
    return 'answered';
  };
}

/** The last step before forwarding: a close that began while the request was admitted wins. */
export function refuseOnceClosed(options: ClosingOptions): AdmitStep {
  const { isClosing, replies } = options;
  return {
    decide(admission) {
      if (!isClosing()) return 'next';
      replies.error(admission.res, new DependencyUnavailableError('mcp_server', SHUTTING_DOWN));
      return 'answered';
    },
  };
}
