/**
 * How long and how much each mode measures. `full` is what docs/benchmarks.md
 * reports and takes about five minutes on a 2-core machine (one of them
 * waiting for the idle-memory reading); `quick` is for iterating; `smoke` only
 * proves every step still works (CI).
 */
import { PAYLOAD_NAMES, type PayloadName } from './payloads.ts';

export type BenchMode = 'full' | 'quick' | 'smoke';

export type TargetName =
  | 'direct'
  | 'bare'
  | 'ours'
  | 'ours-warn'
  | 'ours-untraced'
  | 'ours-metrics'
  | 'ours-policy'
  | 'ours-3-servers';

/** How the runs of `npm run bench` differ beyond their length (`--servers`, `--tracing`). */
export interface BenchOptions {
  /**
   * 3: also our proxy with a servers file (MCP_AUTH_PROXY_SERVERS_FILE) of three HTTP
   * servers, the load on one of them (`ours-3-servers`, tool calls only): a request's
   * cost must not grow with the number of servers.
   */
  readonly servers: 1 | 3;
  /** `off`: `ours` runs with OTEL_SDK_DISABLED=true (the targets), and no untraced twin. */
  readonly tracing: 'on' | 'off';
}

export const DEFAULT_BENCH_OPTIONS: BenchOptions = { servers: 1, tracing: 'on' };

export interface BenchPlan extends BenchOptions {
  readonly mode: BenchMode;
  /** Every cell is measured once per round; the targets of a cell run back to back. */
  readonly rounds: number;
  readonly cellSeconds: number;
  readonly warmupSeconds: number;
  readonly connections: readonly number[];
  readonly payloads: readonly PayloadName[];
  /**
   * Connection counts skipped for a payload. 256 connections × 1 MiB responses
   * keep 256 MiB in flight on loopback; in a cell of a few seconds on two cores
   * the MCP server finishes next to none of them, for any target.
   */
  readonly skip: Partial<Record<PayloadName, readonly number[]>>;
  /** Also measures our proxy at LOG_LEVEL=warn on the echo payload: what the default `info` costs. */
  readonly measureLogCost: boolean;
  /**
   * Also measures our proxy with OTEL_SDK_DISABLED=true on the echo payload:
   * what tracing (on by default, exporting to the benchmark's OTLP sink) costs.
   */
  readonly measureTracingCost: boolean;
  /** Also measures our proxy with Prometheus metrics on, on the echo payload: what recording them costs. */
  readonly measureMetricsCost: boolean;
  /**
   * Also measures our proxy with access rules that touch the benchmark's user (`ours-policy`), on the
   * echo payload: what the policy step costs when rules are set. Without rules it is not built at all.
   */
  readonly measurePolicyCost: boolean;
  /** Restarts of our proxy on its existing store, timed (the first, fresh start is always timed). */
  readonly restarts: number;
  /** Settling time allowed after each cell (see waitUntilQuiet). */
  readonly settleMaxMs: number;
  /**
   * The memory targets are measured first, each on freshly started proxies
   * (RSS never shrinks, so a 1 MiB-response cell would raise every later
   * reading): idle, then this long at 32 connections, then the SSE streams.
   */
  readonly memory: {
    readonly cellSeconds: number;
    readonly freshProcesses: boolean;
    /**
     * How long a proxy idles after its login before its idle memory is read:
     * after a minute without work it gives back what the login grew
     * (src/shared/idle-memory-release.ts), as V8's memory reducer would.
     */
    readonly idleSettleMs: number;
  };
  readonly sse: {
    readonly streams: number;
    /** How long each target holds the streams open; ours is what the issue asks about. */
    readonly holdSeconds: Partial<Record<TargetName, number>>;
  };
}

export function benchPlan(mode: BenchMode, options: BenchOptions = DEFAULT_BENCH_OPTIONS): BenchPlan {
  const plan = lengthOf(mode);
  // Untraced, `ours` already is what the untraced twin would measure.
  return { ...plan, ...options, measureTracingCost: plan.measureTracingCost && options.tracing === 'on' };
}

function lengthOf(mode: BenchMode): Omit<BenchPlan, keyof BenchOptions> {
  switch (mode) {
    case 'full':
      return {
        mode,
        rounds: 3,
        cellSeconds: 1.5,
        warmupSeconds: 2,
        connections: [1, 32, 256],
        payloads: PAYLOAD_NAMES,
        skip: { 'response-1MiB': [256] },
        measureLogCost: true,
        measureTracingCost: true,
        measureMetricsCost: true,
        measurePolicyCost: true,
        restarts: 2,
        settleMaxMs: 3_000,
        memory: { cellSeconds: 4, freshProcesses: true, idleSettleMs: 65_000 },
        sse: { streams: 1000, holdSeconds: { bare: 10, ours: 30 } },
      };
    case 'quick':
      return {
        mode,
        rounds: 1,
        cellSeconds: 2,
        warmupSeconds: 1,
        connections: [1, 32, 256],
        payloads: PAYLOAD_NAMES,
        skip: { 'response-1MiB': [256] },
        measureLogCost: true,
        measureTracingCost: true,
        measureMetricsCost: true,
        measurePolicyCost: true,
        restarts: 1,
        settleMaxMs: 2_000,
        memory: { cellSeconds: 2, freshProcesses: true, idleSettleMs: 65_000 },
        sse: { streams: 200, holdSeconds: { ours: 5 } },
      };
    case 'smoke':
      return {
        mode,
        rounds: 1,
        cellSeconds: 0.3,
        warmupSeconds: 0,
        connections: [1],
        payloads: PAYLOAD_NAMES,
        skip: {},
        measureLogCost: false,
        measureTracingCost: true,
        measureMetricsCost: true,
        measurePolicyCost: true,
        restarts: 0,
        settleMaxMs: 100,
        memory: { cellSeconds: 0.3, freshProcesses: false, idleSettleMs: 1_000 },
        sse: { streams: 3, holdSeconds: { ours: 1 } },
      };
  }
}
