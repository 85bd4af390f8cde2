import type { Attributes, Tracer } from '@opentelemetry/api';
import type { TraceRequest } from '../http/create-request-handler.ts';
import type { VerifyAccessToken } from '../admission/index.ts';
import type { ProxyTracing } from '../proxy/index.ts';
import type { KeyValueStore } from '../store/index.ts';
import type { SpanRole } from './in-span.ts';

/**
 * Tracing as the composition root wires it in (DESIGN.md next to this file).
 * Only built when tracing is on; when it is off there is no Tracing at all,
 * and every seam it would fill is simply left empty.
 */
export interface Tracing {
  /** For the supervisor's lifecycle spans. */
  readonly tracer: Tracer;
  /** The SERVER span of every request (http/create-request-handler.ts). */
  readonly traceRequest: TraceRequest;
  /** The MCP proxy's seam: upstream CLIENT spans with `traceparent`, and the MCP attributes. */
  proxy(mcpServerUrl: URL): ProxyTracing;
  /** Store calls as child spans of the request that makes them. */
  traceStore(store: KeyValueStore): KeyValueStore;
  /** The access-token check, with whether the cache answered. */
  traceAccessCheck(
    cache: (verify: VerifyAccessToken) => VerifyAccessToken,
    verify: VerifyAccessToken,
  ): VerifyAccessToken;
  /** Runs `run` as a child span of the current one (calls to the identity provider). */
  inSpan<T>(name: string, role: SpanRole, attributes: Attributes, run: () => Promise<T>): Promise<T>;
  /** Exports what is pending and stops, giving up after `limitMs`. */
  shutdown(limitMs: number): Promise<void>;
}
