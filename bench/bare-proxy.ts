/**
 * The floor: a plain reverse proxy without authentication, the least any
 * proxy pays. node:http in and out, one keep-alive agent sized like ours
 * (1024 sockets, 256 kept idle), headers passed as Node parsed them minus the
 * hop-by-hop ones (RFC 9110 §7.6.1), bodies piped both ways, SSE flushed at once.
 *
 * Run: `node bench/bare-proxy.ts --target http://127.0.0.1:N [--port N]`;
 * prints `{"port":N}` once listening.
 */
import { Agent, createServer, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const copy: OutgoingHttpHeaders = {};
  for (const name in headers) if (!HOP_BY_HOP.has(name)) copy[name] = headers[name];
  return copy;
}

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, target: { type: 'string' } },
});
if (values.target === undefined) throw new Error('--target is required');
const target = new URL(values.target);
const agent = new Agent({ keepAlive: true, maxSockets: 1024, maxFreeSockets: 256 });

const server = createServer({ requestTimeout: 0, keepAliveTimeout: 65_000 }, (req, res) => {
  const upstream = request(
    {
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: { ...endToEnd(req.headers), host: target.host },
      agent,
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
      if (answer.headers['content-type']?.startsWith('text/event-stream') === true) res.flushHeaders();
      answer.pipe(res);
      answer.once('error', () => res.destroy());
    },
  );
  upstream.once('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  res.once('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
});
server.listen(Number(values.port), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
