import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import type { TracingOn } from '../config/index.ts';
import type { Logger } from '../shared/logger.ts';
import { buildExporter } from './build-exporter.ts';
import { exportTarget, watchExportHealth } from './export-health.ts';

/**
 * The batch processor's bounds, written out so that no OTEL_BSP_* default is
 * read from the environment and the memory held while a collector is down is
 * fixed: at most MAX_QUEUED_SPANS ended spans wait (more are dropped, silently),
 * sent in batches of EXPORT_BATCH_SIZE, or every EXPORT_DELAY_MS at the latest.
 * The batch is a quarter of the SDK's 512: under load, a span then leaves
 * before the young generation is collected twice, instead of being promoted
 * to the old generation for a full collection to reclaim (docs/observability.md, "Cost").
 */
const MAX_QUEUED_SPANS = 2048;
const EXPORT_BATCH_SIZE = 128;
const EXPORT_DELAY_MS = 5_000;
const EXPORT_TIMEOUT_MS = 30_000;

/** Tracer provider, sampler, resource and exporters, all from the typed configuration. */
export function createTracerProvider(config: TracingOn, logger: Logger): TracerProvider {
  const spanProcessors = config.exporters.map(
    (exporterConfig) =>
      new BatchSpanProcessor({
        exporter: watchExportHealth(
          buildExporter(exporterConfig),
          exporterConfig.kind === 'otlp' ? exportTarget(exporterConfig.url) : 'console',
          logger,
        ),
        maxQueueSize: MAX_QUEUED_SPANS,
        maxExportBatchSize: EXPORT_BATCH_SIZE,
        scheduledDelayMillis: EXPORT_DELAY_MS,
        exportTimeoutMillis: EXPORT_TIMEOUT_MS,
      }),
  );
  return new TracerProvider({
    resource: defaultResource().merge(resourceFromAttributes(config.resource)),
    sampler: buildSampler(config.sampler),
    spanProcessors,
  });
}

/** The samplers of OTEL_TRACES_SAMPLER (OpenTelemetry SDK configuration, "General SDK Configuration"). */
export function buildSampler({ name, ratio }: TracingOn['sampler']): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}
