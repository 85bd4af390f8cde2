import { OAuthError } from '../../oauth/oauth-error.ts';
import type { Observe } from '../../observability/index.ts';
import {
  denialAnswer,
  denialsIn,
  denialText,
  ITEM_KINDS,
  listRequestsIn,
  type AccessPolicy,
  type Denied,
  type RequestDenial,
} from '../../policy/index.ts';
import type { AdmitStep, StepResult, Verified } from '../admission.ts';
import type { McpReplies } from '../mcp-replies.ts';
import type { ServerAccessRules } from '../ports.ts';
import { settle, valueOf } from '../settle.ts';

export interface PolicyOptions {
  readonly accessRules: ServerAccessRules;
  /** The server's id, for events. */
  readonly server: string;
  readonly observe: Observe;
  readonly replies: McpReplies;
}

/**
 * The access rules (docs/access-rules.md), decided on the user's identity kept
 * with the grant, after the body is read and before step-up, so that nobody is
 * asked for more scope for something they may not use. A user no rule touches
 * passes at once. Otherwise: a refused server gets 403 for every request; a
 * POST that uses a refused tool, prompt or resource gets the JSON-RPC error
 * naming the rule and never reaches the MCP server; a POST with list requests
 * has them noted, so that their answers are filtered on the way back (and a
 * GET that resumes a stream has every list answer filtered). The body is
 * parsed only for a user some rule touches, and once: step-up reads the
 * parsed message after this step.
 */
export function applyPolicy(options: PolicyOptions): AdmitStep {
  const { accessRules, server, observe, replies } = options;

  const refuse = (admission: Verified, denials: readonly RequestDenial[], answer: unknown): StepResult => {
    for (const denial of denials)
      observe(deniedEvent(admission, server, denial.method, denial.decision, denial));
    replies.refusedMessages(admission.res, answer);
    return 'answered';
  };

  const decide = async (admission: Verified, policy: AccessPolicy): Promise<StepResult> => {
    const { access: verified, req } = admission;
    const lookup = admission.identityLookup ?? settle(accessRules.identities.identityOf(verified.grantId));
    const access = policy.forIdentity(valueOf(await lookup));
    if (admission.aborted) return 'answered';
    if (!access.restricted) return 'next';
    const serverDecision = access.mayUseServer();
    if (!serverDecision.allowed) {
      observe(deniedEvent(admission, server, req.method ?? 'GET', serverDecision, undefined));
      replies.error(
        admission.res,
        new OAuthError('access_denied', denialText(serverDecision, { kind: 'server' })),
      );
      return 'answered';
    }
    admission.userAccess = access;
    if (req.method === 'GET') {
      // A resumed stream may replay the answer to a list request made on another HTTP request.
      if (req.headers['last-event-id'] !== undefined && ITEM_KINDS.some((kind) => access.restricts(kind)))
        admission.listAnswers = 'any';
      return 'next';
    }
    if (req.method !== 'POST') return 'next';
    const message = parsedBody(admission);
    if (message === undefined) return 'next';
    const denials = denialsIn(access, message);
    if (denials.length > 0) return refuse(admission, denials, denialAnswer(message, denials));
    admission.listAnswers = listRequestsIn(message, access);
    return 'next';
  };

  return {
    start(admission) {
      if (accessRules.policy().empty) return;
      admission.identityLookup = settle(accessRules.identities.identityOf(admission.access.grantId));
    },
    decide(admission) {
      const policy = accessRules.policy();
      return policy.empty ? 'next' : decide(admission, policy);
    },
  };
}

/**
 * The POST body as JSON: the transport's parse (the stdio bridge), or one
 * here, kept for step-up. Undefined for a body that is not JSON: step-up, or
 * the MCP server, refuses it as before.
 */
function parsedBody(admission: Verified): unknown {
  if (admission.message !== undefined) return admission.message;
  const body = admission.body;
  if (body === undefined || body.length === 0) return undefined;
  try {
    admission.message = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  return admission.message;
}

function deniedEvent(
  admission: Verified,
  server: string,
  method: string,
  decision: Denied,
  denial: RequestDenial | undefined,
) {
  const { access, req } = admission;
  return {
    type: 'access.denied' as const,
    grantId: access.grantId,
    accountId: access.accountId,
    clientId: access.clientId,
    server,
    rule: decision.rule,
    reason: decision.reason,
    method,
    item: denial?.item,
    request: req,
  };
}
