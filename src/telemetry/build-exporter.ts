import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import {
  createOtlpHttpExportDelegate,
  httpAgentFactoryFromOptions,
} from '@opentelemetry/otlp-exporter-base/node-http';
import {
  JsonTraceSerializer,
  ProtobufTraceSerializer,
  TraceExporterMetricsHelper,
} from '@opentelemetry/otlp-transformer';
import { ConsoleSpanExporter, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import type { TraceExporterConfig } from '../config/index.ts';

/** The OTLP exporter specification's default time limit for one export. */
const EXPORT_TIMEOUT_MS = 10_000;
/** Exports in flight at once; more fail at once instead of queueing (bounded memory when the collector stalls). */
const EXPORT_CONCURRENCY = 2;
const CONTENT_TYPES = { 'http/protobuf': 'application/x-protobuf', 'http/json': 'application/json' } as const;
/** The component name the OTLP/HTTP exporters give their own self-observability metrics. */
const COMPONENT_TYPE = 'otlp_http_span_exporter';

/**
 * One exporter from our typed configuration. The OTLP exporter is assembled
 * from the delegate the packaged OTLPTraceExporter classes wrap, because those
 * classes also read OTEL_* from process.env as a fallback; here every setting
 * comes from src/config (the only reader of the environment).
 */
export function buildExporter(config: TraceExporterConfig): SpanExporter {
  if (config.kind === 'console') return new ConsoleSpanExporter();
  const contentType = CONTENT_TYPES[config.protocol];
  const headers = { ...config.headers, 'Content-Type': contentType };
  const delegate = createOtlpHttpExportDelegate(
    {
      url: config.url,
      headers: () => Promise.resolve(headers),
      timeoutMillis: EXPORT_TIMEOUT_MS,
      concurrencyLimit: EXPORT_CONCURRENCY,
      compression: 'none',
      agentFactory: httpAgentFactoryFromOptions({ keepAlive: true }),
    },
    config.protocol === 'http/json' ? JsonTraceSerializer : ProtobufTraceSerializer,
    COMPONENT_TYPE,
    TraceExporterMetricsHelper,
    undefined,
  );
  return new OTLPExporterBase<ReadableSpan[]>(delegate);
}
