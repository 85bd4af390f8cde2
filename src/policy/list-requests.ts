import type { UserAccess } from './compile-access-policy.ts';
import { isListMethod, LIST_METHODS, type JsonRpcId, type ListMethod } from './mcp-items.ts';

/** The list requests of one POST body whose answers must be filtered, by JSON-RPC id. */
export type ListRequests = ReadonlyMap<JsonRpcId, ListMethod>;

/**
 * The list requests in a parsed request body (one message or a 2025-03-26
 * batch) whose kind this user is restricted on. Undefined when there are none:
 * the answer is then relayed untouched and never parsed.
 */
export function listRequestsIn(message: unknown, access: UserAccess): ListRequests | undefined {
  if (!access.restricted) return undefined;
  let found: Map<JsonRpcId, ListMethod> | undefined;
  for (const item of Array.isArray(message) ? (message as unknown[]) : [message]) {
    if (typeof item !== 'object' || item === null) continue;
    const { method, id } = item as Record<string, unknown>;
    if (!isListMethod(method) || (typeof id !== 'string' && typeof id !== 'number')) continue;
    if (!access.restricts(LIST_METHODS[method].kind)) continue;
    found ??= new Map();
    found.set(id, method);
  }
  return found;
}
