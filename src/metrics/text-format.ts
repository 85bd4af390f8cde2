/**
 * Pieces of the Prometheus text exposition format, version 0.0.4
 * (prometheus.io/docs/instrumenting/exposition_formats), for the series this
 * module renders itself (hot-path-histogram.ts, request-counter.ts).
 */

/** A label value in double quotes: backslash, double quote and line feed escaped. */
export function quoteLabelValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** The `# HELP` and `# TYPE` lines of one metric (HELP escapes backslash and line feed). */
export function metricHeader(name: string, help: string, type: 'counter' | 'histogram'): string {
  return `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${type}\n`;
}
