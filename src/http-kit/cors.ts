import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOWED_HEADERS =
  'Authorization, Content-Type, Accept, MCP-Protocol-Version, Mcp-Session-Id, Last-Event-ID, Mcp-Method, Mcp-Name, X-Request-Id';
const EXPOSED_HEADERS =
  'WWW-Authenticate, Mcp-Session-Id, MCP-Protocol-Version, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, X-Request-Id';
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS for browser MCP clients (MCP Inspector): discovery, registration,
 * token, revocation and the MCP endpoint. Bearer tokens, not cookies,
 * authenticate these calls, so no credentials are allowed and `*` is safe
 * (MCP Inspector guidance, mcp-auth-spec A2.8). `Mcp-Param-*` request headers
 * are echoed from the preflight since their names are open-ended.
 */
export function applyCors(res: ServerResponse): void {
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
}

export function answerPreflight(req: IncomingMessage, res: ServerResponse, methods: string): void {
  const requested = req.headers['access-control-request-headers'];
  res.writeHead(204, {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': methods,
    'access-control-allow-headers':
      requested === undefined ? ALLOWED_HEADERS : `${ALLOWED_HEADERS}, ${requested}`,
    'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
    'content-length': 0,
  });
  res.end();
}
