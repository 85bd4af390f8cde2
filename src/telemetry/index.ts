export { startTracing } from './start-tracing.ts';
export type { Tracing } from './tracing.ts';
export type { SpanRole } from './in-span.ts';
