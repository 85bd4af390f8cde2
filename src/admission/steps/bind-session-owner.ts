import type { Observe } from '../../observability/index.ts';
import type { Logger } from '../../shared/logger.ts';
import type { AdmitStep, StepResult, Verified } from '../admission.ts';
import type { McpReplies } from '../mcp-replies.ts';
import type { SessionOwners } from '../ports.ts';
import { settle, valueOf } from '../settle.ts';

export interface SessionOwnerOptions {
  /** Session → account; absent = sessions are the MCP server's business. */
  readonly sessionOwners: SessionOwners | undefined;
  readonly server: string;
  readonly observe: Observe;
  readonly replies: McpReplies;
  readonly logger: Logger;
}

/**
 * A session answers only the user who opened it (Security Best Practices,
 * session hijacking). A session with no recorded owner goes on: the MCP
 * server decides.
 */
export function bindSessionOwner(options: SessionOwnerOptions): AdmitStep {
  const { sessionOwners, server, observe, replies, logger } = options;
  if (sessionOwners === undefined) return { decide: () => 'next' };
  const owners = sessionOwners;

  const decide = async (admission: Verified): Promise<StepResult> => {
    const { access, sessionId } = admission;
    if (sessionId === undefined) return 'next';
    const owner = valueOf(await (admission.ownerLookup ?? settle(owners.ownerOf(sessionId))));
    if (owner === undefined || owner === access.accountId) return 'next';
    // Another user's session looks exactly like an unknown one: it is never forwarded,
    // and its existence is never revealed.
    logger.warn(
      {
        event: 'proxy.session_owner_mismatch',
        requestId: admission.context.requestId,
        grantId: access.grantId,
      },
      'proxy.session_owner_mismatch',
    );
    observe({
      type: 'session.foreign_user',
      grantId: access.grantId,
      accountId: access.accountId,
      clientId: access.clientId,
      server,
      request: admission.req,
    });
    replies.sessionNotFound(admission.res);
    return 'answered';
  };

  return {
    start(admission) {
      if (admission.sessionId !== undefined)
        admission.ownerLookup = settle(owners.ownerOf(admission.sessionId));
    },
    decide: (admission) => (admission.sessionId === undefined ? 'next' : decide(admission)),
  };
}
