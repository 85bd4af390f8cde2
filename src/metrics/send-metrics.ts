import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

/** Writes the registry in the Prometheus text format (version 0.0.4); HEAD gets the headers alone. */
export async function sendMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  registry: Registry,
): Promise<void> {
  const body = await registry.metrics();
  res.writeHead(200, {
    'content-type': registry.contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
