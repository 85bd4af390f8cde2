import type { RequestDenial } from './check-request.ts';
import type { Denied } from './decision.ts';
import { ITEM_NOUNS, type JsonRpcId, type NamedItem } from './mcp-items.ts';

/**
 * The JSON-RPC error code of a request the access rules refuse. JSON-RPC 2.0
 * leaves -32000 to -32099 to servers; MCP and its SDKs use -32000 (connection
 * closed), -32001 (request timeout; also the SDK's "Session not found"),
 * -32002 (resource not found) and -32042 (URL elicitation). -32003 is free,
 * and reads as HTTP's 403.
 */
export const ACCESS_DENIED_CODE = -32003;

export interface JsonRpcErrorResponse {
  readonly jsonrpc: '2.0';
  readonly id: JsonRpcId | null;
  readonly error: {
    readonly code: number;
    readonly message: string;
    /** `reason`: denied | not-allowed, or `batch` for a request refused because another of its batch was. */
    readonly data: { readonly rule: string; readonly reason: Denied['reason'] | 'batch' };
  };
}

/** What is refused: signing in, the whole server, or one item. */
export type DeniedSubject =
  | { readonly kind: 'sign-in' }
  | { readonly kind: 'server' }
  | { readonly kind: 'item'; readonly item: NamedItem };

/**
 * The sentence people see: it always starts `Access denied by rule "<id>"`
 * (or `Sign-in refused by rule "<id>"`), so the rule is named wherever the
 * message ends up, and ends with the rule's description when it has one.
 */
export function denialText(decision: Denied, subject: DeniedSubject): string {
  const detail = decision.description === undefined ? '' : ` ${decision.description}`;
  if (subject.kind === 'sign-in') return `Sign-in refused by rule "${decision.rule}".${detail}`;
  const what =
    subject.kind === 'server'
      ? decision.reason === 'denied'
        ? 'you may not use this server'
        : 'this server is open only to the users its allow rules name'
      : decision.reason === 'denied'
        ? `you may not use ${ITEM_NOUNS[subject.item.kind]} ${JSON.stringify(subject.item.name)}`
        : `${ITEM_NOUNS[subject.item.kind]} ${JSON.stringify(subject.item.name)} is not on the allow-list for ${subject.item.kind}`;
  return `Access denied by rule "${decision.rule}": ${what}.${detail}`;
}

export function denialError(denial: RequestDenial): JsonRpcErrorResponse {
  const subject: DeniedSubject =
    denial.item === undefined ? { kind: 'server' } : { kind: 'item', item: denial.item };
  return errorResponse(
    denial.id ?? null,
    denialText(denial.decision, subject),
    denial.decision.rule,
    denial.decision.reason,
  );
}

/**
 * The answer to a body with denials. The body is never forwarded in part: a
 * batch is refused whole, as step-up refuses one (docs/decisions.md), and each
 * of its requests gets an error, the denied ones with their own rule. Undefined
 * when no request needs an answer (only notifications): answer 202 then.
 */
export function denialAnswer(
  body: unknown,
  denials: readonly RequestDenial[],
): JsonRpcErrorResponse | JsonRpcErrorResponse[] | undefined {
  const [first] = denials;
  if (first === undefined) return undefined;
  if (!Array.isArray(body)) return first.id === undefined ? undefined : denialError(first);
  const byId = new Map(
    denials.filter((denial) => denial.id !== undefined).map((denial) => [denial.id, denial]),
  );
  const answers: JsonRpcErrorResponse[] = [];
  for (const message of body as unknown[]) {
    if (typeof message !== 'object' || message === null) continue;
    const { id, method } = message as Record<string, unknown>;
    if (typeof method !== 'string' || (typeof id !== 'string' && typeof id !== 'number')) continue;
    const denial = byId.get(id);
    answers.push(
      denial !== undefined
        ? denialError(denial)
        : errorResponse(
            id,
            `Access denied by rule "${first.decision.rule}": not processed, because another request of this batch was refused.`,
            first.decision.rule,
            'batch',
          ),
    );
  }
  return answers.length === 0 ? undefined : answers;
}

function errorResponse(
  id: JsonRpcId | null,
  message: string,
  rule: string,
  reason: JsonRpcErrorResponse['error']['data']['reason'],
): JsonRpcErrorResponse {
  return { jsonrpc: '2.0', id, error: { code: ACCESS_DENIED_CODE, message, data: { rule, reason } } };
}
