import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendJson } from '../http-kit/respond.ts';
import type { Logger } from '../shared/logger.ts';
import { METRICS_PATH } from './public-metrics-route.ts';
import { sendMetrics, type Exposition } from './send-metrics.ts';

export interface MetricsListener {
  /** e.g. http://127.0.0.1:9464 (the bound address; a wildcard bind reads as loopback). */
  readonly url: string;
  close(): Promise<void>;
}

const WILDCARDS = new Set(['0.0.0.0', '::']);

/**
 * The separate listener (MCP_AUTH_PROXY_METRICS_PORT): GET /metrics and
 * nothing else, without credentials, as Kubernetes scrapers expect. It is
 * reached only where MCP_AUTH_PROXY_METRICS_HOST lets it be reached
 * (loopback by default).
 */
export async function startMetricsListener(options: {
  readonly host: string;
  readonly port: number;
  readonly exposition: Exposition;
  readonly logger: Logger;
}): Promise<MetricsListener> {
  const server: Server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== METRICS_PATH) {
      return sendJson(res, 404, { error: 'not_found', error_description: 'only /metrics is served here' });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendJson(
        res,
        405,
        { error: 'method_not_allowed', error_description: `${req.method ?? ''} is not allowed here` },
        { allow: 'GET, HEAD' },
      );
    }
    sendMetrics(req, res, options.exposition).catch((error: unknown) => {
      options.logger.error({ event: 'metrics.scrape_failed', err: error }, 'metrics.scrape_failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port, family } = server.address() as AddressInfo;
  const host = WILDCARDS.has(address) ? '127.0.0.1' : family === 'IPv6' ? `[${address}]` : address;
  options.logger.info({ event: 'metrics.listening', host: options.host, port }, 'metrics.listening');
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
