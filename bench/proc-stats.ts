/**
 * Memory and CPU time of a process, read from Linux's /proc (proc(5)): what
 * the kernel charges the process, whatever runtime it runs.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat times (sysconf(_SC_CLK_TCK), almost always 100). */
const CLOCK_TICKS_PER_SECOND = readClockTicks();

function readClockTicks(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

export interface MemoryReading {
  /** VmRSS: resident now. */
  readonly rssBytes: number;
  /** VmHWM: the highest resident size since the process started. */
  readonly peakRssBytes: number;
}

export function readMemory(pid: number): MemoryReading {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (match === null) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(match[1]) * 1024;
  };
  return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
}

/** User plus system CPU time the process has used so far (utime + stime, fields 14 and 15). */
export function readCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses; the fields after its last ')' are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Samples VmRSS at an interval until stopped; returns the highest sample. */
export function sampleMemory(pid: number, intervalMs = 200): { stop(): number } {
  let maxRssBytes = readMemory(pid).rssBytes;
  const timer = setInterval(() => {
    try {
      maxRssBytes = Math.max(maxRssBytes, readMemory(pid).rssBytes);
    } catch {
      // The process is gone; the last sample stands.
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      try {
        maxRssBytes = Math.max(maxRssBytes, readMemory(pid).rssBytes);
      } catch {
        // as above
      }
      return maxRssBytes;
    },
  };
}

/** A process is quiet when it used less than this share of one CPU over the last probe. */
const QUIET_CPU_SHARE = 0.1;
const QUIET_PROBE_MS = 100;

/**
 * Waits (at most `maxMs`) until the processes are done with the previous
 * cell's leftovers: requests the load generator abandoned when its time was
 * up, garbage to collect. Otherwise those would be charged to the next cell.
 */
export async function waitUntilQuiet(pids: readonly number[], maxMs: number): Promise<void> {
  const giveUpMs = performance.now() + maxMs;
  while (performance.now() < giveUpMs) {
    const before = pids.map(readCpuMs);
    await new Promise((resolve) => setTimeout(resolve, QUIET_PROBE_MS));
    const busy = pids.some(
      (pid, index) => readCpuMs(pid) - before[index]! > QUIET_PROBE_MS * QUIET_CPU_SHARE,
    );
    if (!busy) return;
  }
}
