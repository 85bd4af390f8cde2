import type { AuditTrail } from '../audit/index.ts';
import { openAuditTrail, storedClientName } from '../audit/index.ts';
import type { Config } from '../config/config.ts';
import { openMetrics, type Metrics } from '../metrics/index.ts';
import { observeAll, type Observe } from '../observability/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { openStore, type KeyValueStore } from '../store/index.ts';
import { startTracing, type Tracing } from '../telemetry/index.ts';

/** What everything else is built on: the store, and what watches the proxy work. */
export interface Foundation {
  /** Absent when tracing is off. */
  readonly tracing: Tracing | undefined;
  /** Absent when metrics are off. */
  readonly metrics: Metrics | undefined;
  /** The store, measured and traced when those are on; it has answered a ping. */
  readonly store: KeyValueStore;
  /** Absent when MCP_AUTH_PROXY_AUDIT_LOG is off. */
  readonly audit: AuditTrail | undefined;
  /** Every observer of the proxy's events (src/observability/events.ts). */
  readonly observe: Observe;
}

/** Tracing, metrics, the store and the audit trail, opened in the order each needs the others. */
export async function openFoundation(
  config: Config,
  extraObservers: readonly Observe[],
  clock: Clock,
  logger: Logger,
): Promise<Foundation> {
  const tracing = await startTracing(config.telemetry, { logger, trustForwarded: !config.localInsecure });
  // Prometheus metrics (prom-client loaded only then): an observer, a measured store, GET /metrics.
  const metrics =
    config.metrics === undefined
      ? undefined
      : await openMetrics({
          config: config.metrics,
          supervised: config.servers.some(
            (server) => server.transport === 'http' && server.run !== undefined,
          ),
          trustForwarded: !config.localInsecure,
          logger,
        });
  const openedStore = await openStore(config.store, { clock, logger });
  const measuredStore = metrics === undefined ? openedStore : metrics.measureStore(openedStore);
  const store = tracing?.traceStore(measuredStore) ?? measuredStore;
  await store.ping();
  // MCP_AUTH_PROXY_AUDIT_LOG: one record per security-relevant action (src/audit).
  const audit = await openAuditTrail({
    destination: config.audit.destination,
    source: 'proxy',
    logger,
    app: config.log.appName,
    environment: config.log.environment,
    trustForwarded: !config.localInsecure,
    findClientName: storedClientName(store),
    clock,
  });
  // Every observed event (src/observability/events.ts) reaches each observer.
  const observe = observeAll([
    ...(metrics === undefined ? [] : [metrics.observe]),
    ...(audit === undefined ? [] : [audit.observe]),
    ...extraObservers,
  ]);
  return { tracing, metrics, store, audit, observe };
}
