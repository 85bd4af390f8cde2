import type { MetricsConfig } from '../config/config.ts';
import type { Logger } from '../shared/logger.ts';
import { countEvents } from './count-events.ts';
import { measureStore } from './measure-store.ts';
import type { Metrics } from './metrics.ts';
import { startMetricsListener, type MetricsListener } from './metrics-listener.ts';
import { createProxyMetrics } from './proxy-metrics.ts';
import { createPublicMetricsRoute } from './public-metrics-route.ts';

export interface CreateMetricsOptions {
  readonly config: MetricsConfig;
  /** MCP_SERVER_RUN_COMMAND is set: the supervisor's metrics are exported. */
  readonly supervised: boolean;
  /** Not LOCAL_INSECURE: the public /metrics requires https as seen by the TLS router. */
  readonly trustForwarded: boolean;
  readonly logger: Logger;
}

/** Loaded only through open-metrics.ts, so that prom-client is loaded only when metrics are on. */
export function createMetrics(options: CreateMetricsOptions): Metrics {
  const { config, logger } = options;
  const metrics = createProxyMetrics({ supervised: options.supervised });
  const { exposition } = metrics;
  let listener: MetricsListener | undefined;
  return {
    observe: countEvents(metrics),
    measureStore: (store) => measureStore(store, metrics),
    publicRoutes:
      config.publicToken === undefined
        ? []
        : [
            createPublicMetricsRoute({
              token: config.publicToken,
              exposition,
              trustForwarded: options.trustForwarded,
            }),
          ],
    async listen() {
      if (config.listener === undefined) return undefined;
      listener ??= await startMetricsListener({ ...config.listener, exposition, logger });
      return listener.url;
    },
    close: async () => {
      metrics.stop();
      await listener?.close();
    },
  };
}
