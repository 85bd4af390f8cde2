import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { TracingOn } from '../config/index.ts';
import type { Logger } from '../shared/logger.ts';
import { settlesWithin } from '../shared/settles-within.ts';
import { createTracerProvider } from './create-tracer-provider.ts';
import { inSpan } from './in-span.ts';
import { describeMcpRequest } from './mcp-attributes.ts';
import { traceAccessCheck } from './trace-access-check.ts';
import { TRACE_CONTEXT_HEADERS } from './trace-context-headers.ts';
import { createRequestTracer } from './trace-request.ts';
import { traceStore } from './traced-store.ts';
import { traceUpstreamClient } from './trace-upstream.ts';
import type { Tracing } from './tracing.ts';

/** The instrumentation scope of every span (OpenTelemetry "Instrumentation Scope"). */
const TRACER_NAME = 'mcp-auth-proxy';

let contextManagerRegistered = false;

/**
 * Spans follow a request across `await` through AsyncLocalStorage. The context
 * manager is process-wide by the API's design: registered once, by the first
 * app that traces, and kept (several apps may share one test process).
 */
function registerContextManager(): void {
  if (contextManagerRegistered) return;
  const manager = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(manager)) manager.disable();
  contextManagerRegistered = true;
}

/** The SDK and every seam's tracing, from the typed configuration (loaded only when tracing is on). */
export function createTracing(
  config: TracingOn,
  options: { logger: Logger; trustForwarded: boolean },
): Tracing {
  registerContextManager();
  const provider = createTracerProvider(config, options.logger);
  const tracer = provider.getTracer(TRACER_NAME);
  return {
    tracer,
    traceRequest: createRequestTracer(tracer, { trustForwarded: options.trustForwarded }),
    proxy: (mcpServerUrl) => ({
      ownHeaders: TRACE_CONTEXT_HEADERS,
      traceUpstream: (client) => traceUpstreamClient(client, tracer, mcpServerUrl),
      describeRequest: describeMcpRequest,
    }),
    traceStore: (store) => traceStore(store, tracer),
    traceAccessCheck: (cache, verify) => traceAccessCheck(tracer, cache, verify),
    inSpan: (name, role, attributes, run) => inSpan(tracer, name, role, attributes, run),
    shutdown: async (limitMs) => {
      await settlesWithin(provider.shutdown(), limitMs);
    },
  };
}
