import type { UserAccess } from './compile-access-policy.ts';
import type { ListRequests } from './list-requests.ts';
import { LIST_METHODS, type JsonRpcId, type ListMethod } from './mcp-items.ts';

/**
 * Which responses to filter: the answers to these list requests, or `'any'`
 * response shaped like a list answer. `'any'` is for a resumed SSE stream
 * (a GET with Last-Event-ID), which may replay the answer to a list request
 * the proxy saw on another HTTP request.
 */
export type ListAnswers = ListRequests | 'any';

export interface FilteredMessage {
  /** The message itself when nothing was removed; a copy with shorter lists otherwise. */
  readonly message: unknown;
  readonly changed: boolean;
  /** The awaited list requests this message answered (so a stream can stop looking). */
  readonly answered: readonly JsonRpcId[];
}

/** The order in which `'any'` recognises a list answer by its field. */
const METHODS_BY_FIELD: readonly ListMethod[] = [
  'tools/list',
  'prompts/list',
  'resources/templates/list',
  'resources/list',
];

/**
 * Filters the list answers in a parsed JSON-RPC message (one, or a batch)
 * down to what the user may use. Everything else in the message is kept as
 * it was, `nextCursor` included: a page may come out shorter, or empty, and
 * the client still pages on.
 */
export function filterListMessage(
  message: unknown,
  access: UserAccess,
  answers: ListAnswers,
): FilteredMessage {
  const answered: JsonRpcId[] = [];
  if (!Array.isArray(message)) {
    const filtered = filterResponse(message, access, answers, answered);
    return { message: filtered, changed: filtered !== message, answered };
  }
  let changed = false;
  const items = (message as unknown[]).map((item) => {
    const filtered = filterResponse(item, access, answers, answered);
    if (filtered !== item) changed = true;
    return filtered;
  });
  return { message: changed ? items : message, changed, answered };
}

function filterResponse(
  message: unknown,
  access: UserAccess,
  answers: ListAnswers,
  answered: JsonRpcId[],
): unknown {
  if (typeof message !== 'object' || message === null) return message;
  const response = message as Record<string, unknown>;
  const { id, result } = response;
  if ((typeof id !== 'string' && typeof id !== 'number') || response['method'] !== undefined) return message;
  const method = answers === 'any' ? methodByShape(result) : answers.get(id);
  if (method === undefined) return message;
  if (answers !== 'any') answered.push(id);
  const { kind, field, key } = LIST_METHODS[method];
  if (!access.restricts(kind) || typeof result !== 'object' || result === null) return message;
  const items = (result as Record<string, unknown>)[field];
  if (!Array.isArray(items)) return message;
  const kept = (items as unknown[]).filter((item) => {
    const name =
      typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[key] : undefined;
    return typeof name === 'string' && access.may(kind, name).allowed;
  });
  if (kept.length === items.length) return message;
  // Spreads keep every other field, in its place: nextCursor, _meta, and fields not yet invented.
  return { ...response, result: { ...(result as Record<string, unknown>), [field]: kept } };
}

function methodByShape(result: unknown): ListMethod | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  return METHODS_BY_FIELD.find((method) =>
    Array.isArray((result as Record<string, unknown>)[LIST_METHODS[method].field]),
  );
}
