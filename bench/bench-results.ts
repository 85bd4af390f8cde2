/**
 * The shape of bench/results/latest.json: everything one run measured, the
 * machine it ran on, and the targets checked against it.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, type } from 'node:os';
import type { BenchPlan } from './bench-plan.ts';
import type { SseResult } from './sse-streams.ts';
import type { MeasuredCell, MemorySummary, SummaryRow, TargetCheck } from './summarize-results.ts';

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly os: string;
  readonly loadAverageAtStart: readonly number[];
}

export interface BenchResults {
  readonly startedAt: string;
  /** Which build of the proxy ran: its entry file and the repository's commit (uncommitted changes not shown). */
  readonly build: {
    readonly main: string;
    readonly commit: string | undefined;
    /** The Node.js options it ran with (its `npm start`'s). */
    readonly nodeOptions: readonly string[];
  };
  readonly durationSeconds: number;
  readonly machine: MachineInfo;
  readonly plan: BenchPlan;
  readonly startup: { readonly firstStartMs: number; readonly restartMs: readonly number[] };
  readonly memory: MemorySummary & {
    readonly readyRssBytes: number;
    readonly bareIdleRssBytes: number;
    readonly bareAt32ConnectionsRssBytes: number | undefined;
    readonly bareSseRssBytes: number | undefined;
  };
  readonly cells: readonly MeasuredCell[];
  readonly summary: readonly SummaryRow[];
  readonly sse: Readonly<Record<string, SseResult>>;
  readonly checks: readonly TargetCheck[];
}

export function describeMachine(): MachineInfo {
  const processors = cpus();
  return {
    cpus: processors.length,
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    node: process.version,
    os: `${type()} ${release()}`,
    loadAverageAtStart: loadavg(),
  };
}

/** The short commit of the repository the benchmark runs in, when git can tell. */
export function currentCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}
