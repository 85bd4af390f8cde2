import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How often the process is looked at (an unref'd timer: it never keeps the process alive). */
export const IDLE_CHECK_INTERVAL_MS = 1_000;
/**
 * Consecutive quiet checks before memory is released: a minute without work.
 * A memory-reducing collection also drops compiled code: the next burst of
 * requests starts on unoptimized code (about 70% more instructions per request
 * at first, until V8 has optimized it again), so only a process that has
 * really gone idle should pay for it, never one between bursts. V8's own
 * memory reducer would wait 8 s; in the benchmark, whose targets take turns,
 * that made every cell of our proxy start cold, and 30 s still every round of
 * the targets measured on tool calls only.
 */
export const QUIET_CHECKS_BEFORE_RELEASE = 60;
/**
 * A check interval is quiet when the event loop was busy for less than this
 * share of it. An idle proxy's timers take well under 1%, but on a shared
 * machine a preempted timer callback can take 2-3% of a second; light traffic
 * (a few requests a second) counts as quiet too, and never grows the young
 * generation again.
 */
export const QUIET_UTILIZATION = 0.1;
/**
 * Resident growth since the last release (or since start) that makes another
 * one worth its cost: V8's young generation alone grows by up to 14 MiB under
 * load (2 × --max-semi-space-size with `npm start`), and keeps its pages even
 * when V8 shrinks it.
 */
export const GROWN_RESIDENT_BYTES = 8 * 1024 * 1024;

export interface IdleMemoryReleaseOptions {
  /** The event loop's utilization (0..1) since the previous call. */
  readonly utilizationSinceLastCheck: () => number;
  /** The process's resident size (RSS). */
  readonly residentBytes: () => number;
  /** A full, memory-reducing collection. */
  readonly release: () => void;
  /** Told of each release (a debug log line). */
  readonly onRelease?: ((durationMs: number) => void) | undefined;
}

export interface IdleMemoryCheck {
  /** One look at the process: releases memory when it has been quiet long enough after growing. */
  check(): void;
}

/**
 * Gives memory back once the process has gone quiet after growing. Under load
 * V8 grows the young generation to its cap, and an idle process keeps it: V8's
 * memory reducer should give it back after about 8 s of low allocation, but in
 * this process it reports "high alloc" every 8 s and never runs (seen with
 * --trace-memory-reducer, docs/benchmarks.md). So this does what it would: one
 * memory-reducing collection after a minute of quiet, which returns 10-14 MiB of
 * an idle proxy's ~112 MiB (about 60 ms of CPU, on a loop that has nothing
 * else to do). The first quiet spell after start always releases; later ones
 * only once the process has grown again, so a quiet process pays it once.
 */
export function createIdleMemoryCheck(options: IdleMemoryReleaseOptions): IdleMemoryCheck {
  let quietChecks = 0;
  let residentAfterRelease = Number.NEGATIVE_INFINITY;
  return {
    check() {
      const quiet = options.utilizationSinceLastCheck() < QUIET_UTILIZATION;
      quietChecks = quiet ? quietChecks + 1 : 0;
      if (quietChecks < QUIET_CHECKS_BEFORE_RELEASE) return;
      if (options.residentBytes() < residentAfterRelease + GROWN_RESIDENT_BYTES) return;
      const startedMs = performance.now();
      options.release();
      const durationMs = performance.now() - startedMs;
      quietChecks = 0;
      residentAfterRelease = options.residentBytes();
      options.onRelease?.(durationMs);
    },
  };
}

/** Starts looking at this process every IDLE_CHECK_INTERVAL_MS. */
export function startIdleMemoryRelease(onRelease?: (durationMs: number) => void): { stop(): void } {
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  const idle = createIdleMemoryCheck({
    utilizationSinceLastCheck() {
      const now = performance.eventLoopUtilization();
      const { utilization } = performance.eventLoopUtilization(now, last);
      last = now;
      return utilization;
    },
    residentBytes: () => process.memoryUsage.rss(),
    release: collectReducingMemory,
    onRelease,
  });
  const timer = setInterval(() => idle.check(), IDLE_CHECK_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

type GcFunction = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * Runs V8's `gc` in its memory-reducing flavor (`last-resort`, the collection
 * V8 runs under memory pressure: it also shrinks the young generation and
 * releases the pages it freed). `gc` is taken from a context created for the
 * call, so that it is never a global of ours (`--expose-gc` applies to
 * contexts created while it is set; Node.js documents v8.setFlagsFromString
 * for such flags), and that context is dropped with it: a second context
 * kept alive made every request measurably slower (about 10% more CPU).
 */
export function collectReducingMemory(): void {
  let gc: GcFunction | undefined;
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as GcFunction | undefined;
  } catch {
    return;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  gc?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}
