import { ExportResultCode } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { Logger } from '../shared/logger.ts';

/** An error message as it may be logged: one line, bounded (a collector's error body can be anything). */
const MAX_REASON_LENGTH = 200;

/**
 * Reports the exporter's health as two events, not one line per failed batch:
 * `telemetry.export_failed` (warn) on the first failure, then nothing until an
 * export succeeds again, `telemetry.export_recovered` (info). A proxy started
 * where no collector listens (the default endpoint is localhost:4318) so writes
 * one warning, however long it runs. `target` is the endpoint without query
 * or credentials; the export headers, which carry API keys, are never logged.
 */
export function watchExportHealth(exporter: SpanExporter, target: string, logger: Logger): SpanExporter {
  let failing = false;
  return {
    export(spans, done) {
      exporter.export(spans, (result) => {
        if (result.code === ExportResultCode.SUCCESS) {
          if (failing)
            logger.info({ event: 'telemetry.export_recovered', target }, 'telemetry.export_recovered');
          failing = false;
        } else if (!failing) {
          failing = true;
          const reason = (result.error?.message ?? 'export failed')
            .split('\n')[0]
            ?.slice(0, MAX_REASON_LENGTH);
          logger.warn({ event: 'telemetry.export_failed', target, reason }, 'telemetry.export_failed');
        }
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}

/** Where an exporter sends, safe to log: scheme, host, port and path only. */
export function exportTarget(url: string): string {
  if (!URL.canParse(url)) return '[unparsable]';
  const { protocol, host, pathname } = new URL(url);
  return `${protocol}//${host}${pathname}`;
}
