import type { McpOperation } from '../oauth/scope-challenge.ts';
import { NAME_PARAM_OF_METHOD } from '../oauth/scope-policy.ts';

/** Request headers as Node parsed them; `mcp-method` and `mcp-name` mirror the body in MCP 2026-07-28 (§6.2–§6.5). */
export type MirroredHeaders = Readonly<Record<string, string | string[] | undefined>>;

export type OperationsRead =
  | { readonly kind: 'read'; readonly operations: readonly McpOperation[] }
  | { readonly kind: 'refused'; readonly reason: string };

/** Values outside visible ASCII travel as `=?base64?<utf-8 as base64>?=` (MCP 2026-07-28 §6.5). */
const BASE64_VALUE = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/;

/** The operations a raw POST body asks for (see readMessageOperations); a body that is not JSON is refused. */
export function readMcpOperations(body: Buffer, headers: MirroredHeaders): OperationsRead {
  let message: unknown;
  try {
    message = JSON.parse(body.toString('utf8'));
  } catch {
    return { kind: 'refused', reason: 'The request body is not JSON.' };
  }
  return readMessageOperations(message, headers);
}

/**
 * The operations a parsed JSON-RPC body asks for (one message, or a 2025-03-26
 * batch); responses and malformed messages name none. Scope rules are decided
 * on the body, never on the headers alone, because the body is what the MCP
 * server acts on. When the 2026-07-28 mirror headers are present they must
 * agree with it: an intermediary that validates them answers 400 on a
 * mismatch (§6.4), and a mismatch is how a request would try to look like
 * another to a policy that trusted the headers.
 */
export function readMessageOperations(message: unknown, headers: MirroredHeaders): OperationsRead {
  const messages = Array.isArray(message) ? (message as unknown[]) : [message];
  const operations = messages.flatMap(operationOf);

  const methodHeader = headers['mcp-method'];
  const nameHeader = headers['mcp-name'];
  if (methodHeader === undefined && nameHeader === undefined) return { kind: 'read', operations };
  if (Array.isArray(methodHeader) || Array.isArray(nameHeader)) {
    return { kind: 'refused', reason: 'Mcp-Method and Mcp-Name may appear once each.' };
  }
  const [only] = operations;
  if (Array.isArray(message) || only === undefined) {
    return { kind: 'refused', reason: 'Mcp-Method and Mcp-Name describe one request, not this body.' };
  }
  if (methodHeader !== undefined && methodHeader !== only.method) {
    return { kind: 'refused', reason: 'The Mcp-Method header does not match the method in the body.' };
  }
  if (nameHeader !== undefined && decodeHeaderValue(nameHeader) !== only.name) {
    return { kind: 'refused', reason: 'The Mcp-Name header does not match the name in the body.' };
  }
  return { kind: 'read', operations };
}

function operationOf(message: unknown): McpOperation[] {
  if (typeof message !== 'object' || message === null) return [];
  const { method, params } = message as { method?: unknown; params?: unknown };
  if (typeof method !== 'string') return [];
  const field = Object.hasOwn(NAME_PARAM_OF_METHOD, method) ? NAME_PARAM_OF_METHOD[method] : undefined;
  if (field === undefined) return [{ method }];
  const name =
    typeof params === 'object' && params !== null ? (params as Record<string, unknown>)[field] : undefined;
  return [{ method, name: typeof name === 'string' ? name : undefined }];
}

function decodeHeaderValue(value: string): string {
  const encoded = BASE64_VALUE.exec(value);
  return encoded === null ? value : Buffer.from(encoded[1] ?? '', 'base64').toString('utf8');
}
