import type { TelemetryConfig } from '../config/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { Tracing } from './tracing.ts';

/**
 * Tracing from OTEL_*, or undefined when it is off (OTEL_SDK_DISABLED=true,
 * OTEL_TRACES_EXPORTER=none). The SDK is imported only when tracing is on, as
 * optional drivers are (style.md), so a proxy without tracing never loads it.
 */
export async function startTracing(
  config: TelemetryConfig,
  options: { logger: Logger; trustForwarded: boolean },
): Promise<Tracing | undefined> {
  if (config.tracing === 'off') return undefined;
  const { createTracing } = await import('./create-tracing.ts');
  return createTracing(config, options);
}
