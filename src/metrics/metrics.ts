import type { Route } from '../http-kit/router.ts';
import type { Observe } from '../observability/index.ts';
import type { KeyValueStore } from '../store/index.ts';

/** What the composition root gets when metrics are on (open-metrics.ts). */
export interface Metrics {
  /** The observer that counts every event; added to the app's observers. */
  readonly observe: Observe;
  /** The store, each call timed and each failure counted. */
  measureStore(store: KeyValueStore): KeyValueStore;
  /** GET /metrics on the public port (with MCP_AUTH_PROXY_METRICS_TOKEN), served before the rate limits. */
  readonly publicRoutes: readonly Route[];
  /** Starts the separate listener when MCP_AUTH_PROXY_METRICS_PORT is set; resolves to its URL. */
  listen(): Promise<string | undefined>;
  /** Stops the separate listener and the event loop sampling. */
  close(): Promise<void>;
}
