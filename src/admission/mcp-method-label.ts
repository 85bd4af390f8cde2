import type { IncomingHttpHeaders } from 'node:http';

/**
 * The MCP methods (all revisions, 2025-03-26 to 2026-07-28) a metric may name.
 * Anything else a client sends is `other`: labels must stay few, and a method
 * name is client-chosen text.
 */
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'tasks/get',
  'tasks/list',
  'tasks/result',
  'tasks/cancel',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
]);

const METHOD_KEY = Buffer.from('"method"');
/** A JSON-RPC message names its method near the start; no need to look further for a label. */
const SCAN_LIMIT_BYTES = 512;
const QUOTE = 0x22;
const OPEN_BRACKET = 0x5b;

/**
 * What a proxied MCP request was, for metrics, without parsing its body: the
 * 2026-07-28 `Mcp-Method` header when sent, else the first `"method"` string
 * near the start of the JSON-RPC message. GET is the standalone SSE stream,
 * DELETE ends a session, a body without a method is a response to the server.
 */
export function mcpMethodLabel(
  method: string | undefined,
  headers: IncomingHttpHeaders,
  body: Buffer | undefined,
): string {
  if (method === 'GET') return 'stream';
  if (method === 'DELETE') return 'session_delete';
  if (method !== 'POST') return 'other';
  const header = headers['mcp-method'];
  if (typeof header === 'string') return KNOWN_METHODS.has(header) ? header : 'other';
  if (body === undefined || body.length === 0) return 'other';
  const start = firstNonSpace(body);
  if (body[start] === OPEN_BRACKET) return 'batch';
  const key = body.subarray(0, SCAN_LIMIT_BYTES).indexOf(METHOD_KEY);
  if (key === -1) return 'response';
  const open = body.indexOf(QUOTE, key + METHOD_KEY.length);
  if (open === -1 || open > key + METHOD_KEY.length + 8) return 'other';
  const close = body.indexOf(QUOTE, open + 1);
  if (close === -1 || close - open > 64) return 'other';
  const name = body.toString('latin1', open + 1, close);
  return KNOWN_METHODS.has(name) ? name : 'other';
}

function firstNonSpace(body: Buffer): number {
  let index = 0;
  while (
    index < body.length &&
    (body[index] === 0x20 || body[index] === 0x0a || body[index] === 0x0d || body[index] === 0x09)
  )
    index += 1;
  return index;
}
