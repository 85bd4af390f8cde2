import type { UserAccess } from './compile-access-policy.ts';
import type { Denied } from './decision.ts';
import { namedItemOf, type JsonRpcId, type NamedItem } from './mcp-items.ts';

/** A request the policy refuses: it is answered with a JSON-RPC error and never forwarded. */
export interface RequestDenial {
  /** Undefined for a notification: it gets no answer, and is still not forwarded. */
  readonly id: JsonRpcId | undefined;
  readonly method: string;
  /** The tool, prompt or resource it uses; undefined when the whole server is refused. */
  readonly item?: NamedItem;
  readonly decision: Denied;
}

const NONE: readonly RequestDenial[] = Object.freeze([]);

/**
 * The denial of one parsed JSON-RPC message, or undefined when it may go to
 * the MCP server. Only requests that use a named item are checked, unless the
 * whole server is refused (then every request and notification is).
 */
export function denialOf(access: UserAccess, message: unknown): RequestDenial | undefined {
  if (!access.restricted || typeof message !== 'object' || message === null) return undefined;
  const { method, params, id } = message as Record<string, unknown>;
  if (typeof method !== 'string') return undefined;
  const requestId = typeof id === 'string' || typeof id === 'number' ? id : undefined;
  const server = access.mayUseServer();
  if (!server.allowed) return { id: requestId, method, decision: server };
  const item = namedItemOf(method, params);
  if (item === undefined) return undefined;
  const decision = access.may(item.kind, item.name);
  return decision.allowed ? undefined : { id: requestId, method, item, decision };
}

/** Every denial in a parsed request body: one message, or a 2025-03-26 batch. Empty: forward it. */
export function denialsIn(access: UserAccess, body: unknown): readonly RequestDenial[] {
  if (!access.restricted) return NONE;
  if (!Array.isArray(body)) {
    const denial = denialOf(access, body);
    return denial === undefined ? NONE : [denial];
  }
  const denials: RequestDenial[] = [];
  for (const message of body as unknown[]) {
    const denial = denialOf(access, message);
    if (denial !== undefined) denials.push(denial);
  }
  return denials.length === 0 ? NONE : denials;
}
