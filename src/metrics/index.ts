export type { CreateMetricsOptions } from './create-metrics.ts';
export type { Metrics } from './metrics.ts';
export { openMetrics } from './open-metrics.ts';
