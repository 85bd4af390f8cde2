/**
 * What the benchmark sends: MCP `tools/call` requests as a Streamable HTTP
 * client sends them (MCP 2025-11-25 transports: POST, Accept naming both JSON
 * and SSE, MCP-Protocol-Version on every request after initialization).
 */

export const MCP_PROTOCOL_VERSION = '2025-11-25';

export type PayloadName = 'echo' | 'request-64KiB' | 'response-1MiB';

export const PAYLOAD_NAMES: readonly PayloadName[] = ['echo', 'request-64KiB', 'response-1MiB'];

const REQUEST_TEXT_BYTES = 64 * 1024;
const RESPONSE_BYTES = 1024 * 1024;

const toolCall = (name: string, args: Record<string, unknown>): Buffer =>
  Buffer.from(
    JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
  );

/** The request body of each payload. */
export const PAYLOAD_BODIES: Readonly<Record<PayloadName, Buffer>> = {
  echo: toolCall('echo', { text: 'hello' }),
  'request-64KiB': toolCall('size', { text: 'x'.repeat(REQUEST_TEXT_BYTES) }),
  'response-1MiB': toolCall('big', { bytes: RESPONSE_BYTES }),
};

/**
 * The same headers go to every target, so all of them parse the same bytes;
 * the MCP server ignores the Authorization header and the proxy replaces it.
 */
export function mcpHeaders(accessToken: string): Record<string, string> {
  return {
    authorization: `Bearer ${accessToken}`,
    accept: 'application/json, text/event-stream',
    'content-type': 'application/json',
    'mcp-protocol-version': MCP_PROTOCOL_VERSION,
  };
}
