import type { ServerResponse } from 'node:http';

/**
 * Errors the Streamable HTTP transport answers in JSON-RPC form, written the
 * way the SDK's own transport writes them, so that a client cannot tell the
 * bridge's answer from the MCP server's (in particular, a session that belongs
 * to someone else answers exactly like one that never existed).
 */
export type JsonRpcReply = 'session_not_found' | 'session_id_required' | 'parse_error' | 'method_not_allowed';

const REPLIES: Record<JsonRpcReply, { status: number; code: number; message: string }> = {
  // MCP transports, Streamable HTTP §"Session Management": an unknown or ended session → 404.
  session_not_found: { status: 404, code: -32001, message: 'Session not found' },
  session_id_required: {
    status: 400,
    code: -32000,
    message: 'Bad Request: Mcp-Session-Id header is required',
  },
  parse_error: { status: 400, code: -32700, message: 'Parse error: Invalid JSON' },
  method_not_allowed: { status: 405, code: -32000, message: 'Method not allowed.' },
};

export function writeJsonRpcReply(res: ServerResponse, reply: JsonRpcReply): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { status, code, message } = REPLIES[reply];
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...(reply === 'method_not_allowed' ? { allow: 'GET, POST, DELETE' } : {}),
  });
  res.end(body);
}
