import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { systemClock, type Clock } from '../shared/clock.ts';
import { registerExampleTools } from './example-tools.ts';

export interface ExampleMcpServerOptions {
  /**
   * The user a bearer token belongs to, or undefined when the token is not
   * valid (then the request gets 401, as from any resource server). The demo
   * asks the development identity provider.
   */
  readonly identifyUser: (bearerToken: string) => string | undefined;
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly clock?: Clock;
  /** The pause between two progress notifications of `slow_count` (default 300 ms). */
  readonly progressIntervalMs?: number;
}

export interface ExampleMcpServer {
  /** The MCP endpoint, e.g. `http://127.0.0.1:49153/mcp`: the value of MCP_SERVER_URL. */
  readonly url: string;
  close(): Promise<void>;
}

interface Session {
  readonly user: string;
  readonly transport: StreamableHTTPServerTransport;
  readonly server: McpServer;
}

export const EXAMPLE_MCP_PATH = '/mcp';
const DEFAULT_PROGRESS_INTERVAL_MS = 300;

function sendJsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * The MCP server bundled with the demo: the SDK's McpServer over its stateful
 * Streamable HTTP transport, behind the proxy. It trusts nothing but a valid
 * identity-provider token, and binds each session to the user who opened it,
 * so a session id alone never lets another user in.
 */
export async function startExampleMcpServer(options: ExampleMcpServerOptions): Promise<ExampleMcpServer> {
  const clock = options.clock ?? systemClock;
  const progressIntervalMs = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
  const sessions = new Map<string, Session>();

  async function openSession(user: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const server = new McpServer({ name: 'mcp-auth-proxy-example', version: '1.0.0' });
    registerExampleTools(server, { user, clock, progressIntervalMs });
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sessionId) => void sessions.set(sessionId, { user, transport, server }),
      onsessionclosed: (sessionId) => void sessions.delete(sessionId),
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res);
    // A request that opened no session (not an initialize) leaves nothing behind.
    if (transport.sessionId === undefined) await server.close();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname } = new URL(req.url ?? '/', 'http://example.invalid');
    if (pathname !== EXAMPLE_MCP_PATH) return sendJsonRpcError(res, 404, -32601, 'Not found');
    // RFC 6750 §3: a missing or unknown token is answered with a Bearer challenge.
    const bearer = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const user = bearer === undefined ? undefined : options.identifyUser(bearer);
    if (user === undefined) {
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"', 'content-length': 0 });
      return void res.end();
    }
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId !== 'string') return openSession(user, req, res);
    const session = sessions.get(sessionId);
    // Another user's session is answered exactly like an unknown one (MCP Streamable HTTP, session management).
    if (session === undefined || session.user !== user) {
      return sendJsonRpcError(res, 404, -32001, 'Session not found');
    }
    await session.transport.handleRequest(req, res);
  }

  const httpServer = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (res.headersSent) return void res.destroy();
      sendJsonRpcError(res, 500, -32603, 'Internal error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = httpServer.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;

  return {
    url: `http://${host}:${port}${EXAMPLE_MCP_PATH}`,
    close: async () => {
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.allSettled(open.map((session) => session.server.close()));
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
