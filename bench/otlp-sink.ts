/**
 * The collector the traced proxy exports to during the benchmark: a node:http
 * server that accepts every OTLP/HTTP export (POST /v1/traces) and discards
 * it, in its own process as a collector would be.
 *
 * Run: `node bench/otlp-sink.ts`; prints `{"port":N}` once listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  req.resume();
  req.once('end', () => {
    res.writeHead(req.method === 'POST' ? 200 : 404, { 'content-type': 'application/x-protobuf' });
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
