import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How often the process is looked at (an unref'd timer: it never keeps the process alive). */
export const IDLE_CHECK_INTERVAL_MS = 1_000;
/**
 * Consecutive quiet checks before memory is released: half a minute without
 * work. A memory-reducing collection also drops compiled code: the next burst
 * of requests starts on unoptimized code (about 70% more instructions per
 * request at first, until V8 has optimized it again), so only a process that
 * has really gone idle should pay for it, never one between bursts (V8's own
 * memory reducer would wait 8 s; in the benchmark, whose targets take turns,
 * that made every cell of our proxy start cold).
 */
export const QUIET_CHECKS_BEFORE_RELEASE = 30;
/** A check interval is quiet when the event loop was busy for less than this share of it. */
export const QUIET_UTILIZATION = 0.02;
/**
 * V8's young generation starts at 2 MiB and grows under load to 2 ×
 * --max-semi-space-size (16 MiB with `npm start`); above this it has grown,
 * and a release gives back at least this much.
 */
export const GROWN_YOUNG_GENERATION_BYTES = 4 * 1024 * 1024;

export interface IdleMemoryReleaseOptions {
  /** The event loop's utilization (0..1) since the previous call. */
  readonly utilizationSinceLastCheck: () => number;
  /** Resident bytes of V8's young generation. */
  readonly youngGenerationBytes: () => number;
  /** A full, memory-reducing collection. */
  readonly release: () => void;
  /** Told of each release (a debug log line). */
  readonly onRelease?: ((durationMs: number) => void) | undefined;
}

export interface IdleMemoryCheck {
  /** One look at the process: releases memory when it has been quiet long enough after load. */
  check(): void;
}

/**
 * Gives memory back once the process has gone quiet after load. Under load
 * V8 grows the young generation to its cap; an idle process never shrinks it
 * back: V8's memory reducer should, after about 8 s of low allocation, but in
 * this process it reports "high alloc" every 8 s and never runs (seen with
 * --trace-memory-reducer, docs/benchmarks.md). So this does what it would: one
 * memory-reducing collection after 30 s of quiet, which returns 12-14 MiB
 * of an idle proxy's ~112 MiB (about 60 ms of CPU, on a loop that has nothing
 * else to do). It runs again only once load has grown the young generation
 * again, so a quiet process pays it once.
 */
export function createIdleMemoryCheck(options: IdleMemoryReleaseOptions): IdleMemoryCheck {
  let quietChecks = 0;
  return {
    check() {
      const quiet = options.utilizationSinceLastCheck() < QUIET_UTILIZATION;
      quietChecks = quiet ? quietChecks + 1 : 0;
      if (quietChecks < QUIET_CHECKS_BEFORE_RELEASE) return;
      if (options.youngGenerationBytes() <= GROWN_YOUNG_GENERATION_BYTES) return;
      const startedMs = performance.now();
      options.release();
      quietChecks = 0;
      options.onRelease?.(performance.now() - startedMs);
    },
  };
}

/**
 * Starts looking at this process every IDLE_CHECK_INTERVAL_MS, when the
 * runtime lets it collect garbage on demand; otherwise does nothing.
 */
export function startIdleMemoryRelease(
  onRelease?: (durationMs: number) => void,
): { stop(): void } | undefined {
  const collect = memoryReducingCollection();
  if (collect === undefined) return undefined;
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  const idle = createIdleMemoryCheck({
    utilizationSinceLastCheck() {
      const now = performance.eventLoopUtilization();
      const { utilization } = performance.eventLoopUtilization(now, last);
      last = now;
      return utilization;
    },
    youngGenerationBytes: () =>
      getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.physical_space_size ?? 0,
    release: collect,
    onRelease,
  });
  const timer = setInterval(() => idle.check(), IDLE_CHECK_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

type GcFunction = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * V8's `gc`, taken from a fresh context so that it is never a global of ours:
 * `--expose-gc` applies to contexts created while it is set (Node.js documents
 * v8.setFlagsFromString for such flags). The `last-resort` flavor is the
 * collection V8 runs under memory pressure: it also shrinks the young
 * generation and releases the pages it freed.
 */
function memoryReducingCollection(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as GcFunction | undefined;
    return gc === undefined
      ? undefined
      : () => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  } catch {
    return undefined;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}
