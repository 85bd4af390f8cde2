/**
 * The MCP server behind every target of the benchmark: the official SDK's
 * McpServer over its Streamable HTTP transport in stateless mode (a new server
 * and transport per request, as the SDK prescribes for stateless servers, so
 * identical JSON-RPC ids from the load generator never collide).
 *
 *   POST /mcp      answers with one JSON body (`enableJsonResponse: true`): the
 *                  cheapest answer the SDK gives, so the baseline is as fast as
 *                  it gets and the proxies' share is as visible as it gets;
 *   POST /mcp/sse  answers with an SSE stream (for `ticks`).
 *
 * Tools: `echo {text}`, `size {text}` (the length, for large requests),
 * `big {bytes}` (a large response), `ticks {count, intervalMs}` (one progress
 * notification per interval whose message is the send time in epoch ms, so a
 * client can measure delivery latency).
 *
 * Run: `node bench/mcp-echo-server.ts [--port N]`; prints `{"port":N}` once listening.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { epochMs } from './epoch-ms.ts';

const MAX_BIG_BYTES = 64 * 1024 * 1024;

const echoInput = { text: z.string() };
const bigInput = { bytes: z.number().int().min(0).max(MAX_BIG_BYTES) };
const ticksInput = {
  count: z.number().int().min(1).max(3600),
  intervalMs: z.number().int().min(1).max(60_000),
};

/** Large strings are built once per size; the benchmark asks for the same size every time. */
const bigTexts = new Map<number, string>();
const bigText = (bytes: number): string => {
  let text = bigTexts.get(bytes);
  if (text === undefined) {
    text = 'x'.repeat(bytes);
    bigTexts.set(bytes, text);
  }
  return text;
};

function newServer(): McpServer {
  const server = new McpServer({ name: 'bench-echo', version: '1.0.0' });
  server.registerTool('echo', { inputSchema: echoInput }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  server.registerTool('size', { inputSchema: echoInput }, ({ text }) => ({
    content: [{ type: 'text', text: String(text.length) }],
  }));
  server.registerTool('big', { inputSchema: bigInput }, ({ bytes }) => ({
    content: [{ type: 'text', text: bigText(bytes) }],
  }));
  server.registerTool('ticks', { inputSchema: ticksInput }, async ({ count, intervalMs }, extra) => {
    const progressToken = extra._meta?.progressToken;
    for (let tick = 1; tick <= count && !extra.signal.aborted; tick += 1) {
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      if (progressToken === undefined || extra.signal.aborted) continue;
      await extra.sendNotification({
        method: 'notifications/progress',
        params: { progressToken, progress: tick, total: count, message: String(epochMs()) },
      });
    }
    return { content: [{ type: 'text', text: `done ${count}` }] };
  });
  return server;
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = req.url?.split('?', 1)[0];
  if (path !== '/mcp' && path !== '/mcp/sse') {
    res.writeHead(404).end();
    return;
  }
  const server = newServer();
  // No sessionIdGenerator: stateless.
  const transport = new StreamableHTTPServerTransport({ enableJsonResponse: path === '/mcp' });
  res.once('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res);
}

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
const httpServer = createServer({ requestTimeout: 0, keepAliveTimeout: 65_000 }, (req, res) => {
  handle(req, res).catch((error: unknown) => {
    process.stderr.write(`bench-echo: ${String(error)}\n`);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
httpServer.listen(Number(values.port), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (httpServer.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => {
  httpServer.closeAllConnections();
  httpServer.close(() => process.exit(0));
});
