import type { CreateMetricsOptions } from './create-metrics.ts';
import type { Metrics } from './metrics.ts';

/**
 * Loads the metrics (and with them prom-client) only when the configuration
 * asks for them, as optional drivers load lazily: a deployment without
 * MCP_AUTH_PROXY_METRICS_PORT or _TOKEN never loads prom-client.
 */
export async function openMetrics(options: CreateMetricsOptions): Promise<Metrics> {
  const { createMetrics } = await import('./create-metrics.ts');
  return createMetrics(options);
}
