import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { z } from 'zod';
import { BoundedEventStore } from './bounded-event-store.ts';

/**
 * A real MCP server (the SDK's McpServer over its Streamable HTTP transport)
 * for tests that need something on the other side of the proxy.
 *
 * Tools: `echo {text}`, `whoami` (the user validateToken mapped the bearer
 * to), `progress {count, delayMs?, gated?}` (progress notifications, or log
 * messages without a progress token, then `done <count>`), `big {bytes}`.
 *
 * Besides the MCP endpoint at `/mcp`, raw helpers for protocol tests live
 * under `/mcp/__fixture/`:
 *   `echo`           200 JSON {method, url, headers, body} of what arrived;
 *   `respond?status=N&header=Name:Value&…&body=…` answers exactly that;
 *   `sse-then-drop`  one SSE event, then the connection is destroyed;
 *   `hang`           never answers (for abort tests);
 *   `release-progress`  lets a `gated` progress tool send its next notification
 *                    (releaseProgress, for a fixture in another process).
 */
export interface McpFixtureServerOptions {
  readonly stateful: boolean;
  /** Gets the bearer token (empty when none was sent); undefined → 401 from the fixture. */
  readonly validateToken?: (bearer: string) => { user: string } | undefined;
  readonly port?: number;
  readonly host?: string;
  /**
   * Number every SSE event and keep it (a bounded event store), so that a client whose stream was
   * cut resumes it with a GET carrying `Last-Event-ID`. Stateful servers only.
   */
  readonly resumable?: boolean;
  /** More tools, each without arguments and answering its own name (for access rules by name pattern); calls are recorded in `toolCalls`. */
  readonly tools?: readonly string[];
  /** Answer POSTs with one `application/json` body instead of an SSE stream (the SDK's enableJsonResponse). */
  readonly jsonResponse?: boolean;
}

export interface McpFixtureServer {
  /** The MCP endpoint, e.g. `http://127.0.0.1:1234/mcp`. */
  readonly url: string;
  /** Authorization header of every request, in arrival order ('' when absent). */
  readonly seenAuthorizations: string[];
  readonly seenHeaders: IncomingHttpHeaders[];
  /** Request targets (path and query) in arrival order. */
  readonly seenUrls: string[];
  /** Requests whose connection closed before the fixture finished its answer. */
  abortedRequests(): number;
  /** Resolves when the next such request closes (or at once when one already did and was not awaited). */
  nextAbortedRequest(): Promise<void>;
  /** Lets a `gated` progress tool send its next notification. */
  releaseProgress(): void;
  /** The calls that reached the extra tools (`options.tools`), by name, in order. */
  readonly toolCalls: string[];
  /** Whether sessions opened from now on answer POSTs with JSON (true) or SSE (false); starts as `options.jsonResponse`. */
  jsonResponse: boolean;
  close(): Promise<void>;
}

export const FIXTURE_MCP_PATH = '/mcp';
const HELPERS_PREFIX = `${FIXTURE_MCP_PATH}/__fixture/`;

export async function startMcpFixtureServer(options: McpFixtureServerOptions): Promise<McpFixtureServer> {
  const seenAuthorizations: string[] = [];
  const seenHeaders: IncomingHttpHeaders[] = [];
  const seenUrls: string[] = [];
  const toolCalls: string[] = [];
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const eventStore = options.resumable === true ? new BoundedEventStore() : undefined;
  const servers = new Set<McpServer>();
  let aborted = 0;
  let unclaimedAborts = 0;
  const abortWaiters: (() => void)[] = [];
  let progressPermits = 0;
  const progressWaiters: (() => void)[] = [];

  const waitForProgressPermit = (): Promise<void> => {
    if (progressPermits > 0) {
      progressPermits -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => progressWaiters.push(resolve));
  };

  function newMcpServer(): McpServer {
    const server = new McpServer(
      { name: 'mcp-fixture', version: '1.0.0' },
      { capabilities: { logging: {} } },
    );
    servers.add(server);
    server.registerTool('echo', { inputSchema: { text: z.string() } }, ({ text }) => ({
      content: [{ type: 'text', text }],
    }));
    for (const name of options.tools ?? []) {
      server.registerTool(name, {}, () => {
        toolCalls.push(name);
        return { content: [{ type: 'text', text: name }] };
      });
    }
    server.registerTool('whoami', {}, (extra) => ({
      content: [{ type: 'text', text: userOf(extra.authInfo) }],
    }));
    server.registerTool(
      'progress',
      {
        inputSchema: {
          count: z.number().int().min(0).max(1000),
          delayMs: z.number().int().min(0).optional(),
          gated: z.boolean().optional(),
        },
      },
      async ({ count, delayMs, gated }, extra) => {
        const progressToken = extra._meta?.progressToken;
        for (let step = 1; step <= count && !extra.signal.aborted; step += 1) {
          if (progressToken !== undefined) {
            await extra.sendNotification({
              method: 'notifications/progress',
              params: { progressToken, progress: step, total: count, message: `step ${step}` },
            });
          } else {
            await extra.sendNotification({
              method: 'notifications/message',
              params: { level: 'info', data: `step ${step}` },
            });
          }
          if (gated === true) await waitForProgressPermit();
          else await new Promise((resolve) => setTimeout(resolve, delayMs ?? 10));
        }
        return { content: [{ type: 'text', text: `done ${count}` }] };
      },
    );
    server.registerTool(
      'big',
      {
        inputSchema: {
          bytes: z
            .number()
            .int()
            .min(0)
            .max(64 * 1024 * 1024),
        },
      },
      ({ bytes }) => ({
        content: [{ type: 'text', text: 'x'.repeat(bytes) }],
      }),
    );
    return server;
  }

  async function handleMcp(req: IncomingMessage & { auth?: AuthInfo }, res: ServerResponse): Promise<void> {
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const existing = transports.get(sessionId);
      // A closed transport stays in the map so that the SDK itself answers 404 for its session.
      if (existing !== undefined) return existing.handleRequest(req, res);
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }),
      );
      return;
    }
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      ...(options.stateful
        ? {
            sessionIdGenerator: () => randomUUID(),
            onsessioninitialized: (id) => void transports.set(id, transport),
            ...(eventStore === undefined ? {} : { eventStore }),
          }
        : {}),
      ...(fixture.jsonResponse ? { enableJsonResponse: true } : {}),
    });
    const server = newMcpServer();
    await server.connect(transport);
    if (!options.stateful) {
      res.once('close', () => {
        void server.close();
        servers.delete(server);
      });
    }
    await transport.handleRequest(req, res);
  }

  function handleHelper(
    name: string,
    req: IncomingMessage,
    res: ServerResponse,
    query: URLSearchParams,
  ): void {
    switch (name) {
      case 'echo': {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const body = JSON.stringify({
            method: req.method,
            url: req.url,
            headers: req.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(body);
        });
        return;
      }
      case 'respond': {
        const headers: string[] = [];
        for (const header of query.getAll('header')) {
          const colon = header.indexOf(':');
          headers.push(header.slice(0, colon), header.slice(colon + 1));
        }
        res.writeHead(Number(query.get('status') ?? '200'), headers);
        res.end(query.get('body') ?? undefined);
        return;
      }
      case 'sse-then-drop':
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write('id: 1\ndata: {"first":true}\n\n', () => setImmediate(() => res.destroy()));
        return;
      case 'hang':
        return;
      case 'release-progress':
        releaseProgress();
        res.writeHead(204).end();
        return;
      default:
        res.writeHead(404).end();
    }
  }

  function releaseProgress(): void {
    const waiter = progressWaiters.shift();
    if (waiter === undefined) progressPermits += 1;
    else waiter();
  }

  const httpServer = createServer((req: IncomingMessage & { auth?: AuthInfo }, res) => {
    seenAuthorizations.push(req.headers.authorization ?? '');
    seenHeaders.push(req.headers);
    seenUrls.push(req.url ?? '');
    res.once('close', () => {
      if (res.writableFinished) return;
      aborted += 1;
      const waiter = abortWaiters.shift();
      if (waiter === undefined) unclaimedAborts += 1;
      else waiter();
    });

    if (options.validateToken !== undefined) {
      const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
      const identity = options.validateToken(bearer);
      if (identity === undefined) {
        res.writeHead(401, {
          'content-type': 'application/json',
          'www-authenticate': 'Bearer error="invalid_token"',
        });
        res.end(JSON.stringify({ error: 'invalid_token', error_description: 'fixture refused the token' }));
        return;
      }
      req.auth = { token: bearer, clientId: 'mcp-fixture', scopes: [], extra: { user: identity.user } };
    }

    const url = new URL(req.url ?? '/', 'http://fixture.invalid');
    if (url.pathname.startsWith(HELPERS_PREFIX)) {
      handleHelper(url.pathname.slice(HELPERS_PREFIX.length), req, res, url.searchParams);
    } else if (url.pathname === FIXTURE_MCP_PATH || url.pathname === `${FIXTURE_MCP_PATH}/`) {
      handleMcp(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });

  httpServer.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(httpServer, 'listening');
  const { port } = httpServer.address() as AddressInfo;

  const fixture: McpFixtureServer = {
    url: `http://${options.host ?? '127.0.0.1'}:${port}${FIXTURE_MCP_PATH}`,
    seenAuthorizations,
    seenHeaders,
    seenUrls,
    abortedRequests: () => aborted,
    nextAbortedRequest() {
      if (unclaimedAborts > 0) {
        unclaimedAborts -= 1;
        return Promise.resolve();
      }
      return new Promise((resolve) => abortWaiters.push(resolve));
    },
    releaseProgress,
    toolCalls,
    jsonResponse: options.jsonResponse === true,
    async close() {
      for (const waiter of progressWaiters.splice(0)) waiter();
      await Promise.allSettled([...transports.values()].map((transport) => transport.close()));
      await Promise.allSettled([...servers].map((server) => server.close()));
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
  return fixture;
}

const userOf = (auth: AuthInfo | undefined): string => {
  const user = auth?.extra?.['user'];
  return typeof user === 'string' ? user : 'anonymous';
};
