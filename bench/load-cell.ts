/**
 * One cell of the benchmark: autocannon against one target, one payload, one
 * connection count, for a bounded time, on loopback. The target process's
 * CPU time and memory are read around it.
 */
import autocannon from 'autocannon';
import { readCpuMs, sampleMemory } from './proc-stats.ts';

export interface CellRequest {
  readonly url: string;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  readonly connections: number;
  readonly durationSeconds: number;
}

export interface CellResult {
  readonly requests: number;
  readonly requestsPerSecond: number;
  /** 1000 / requests per second × connections: the mean time one request takes. */
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Connection errors, timeouts and answers other than 2xx. */
  readonly failures: number;
  /** CPU time (user + system) of each watched process, per request, in microseconds. */
  readonly cpuMicrosPerRequest: Readonly<Record<string, number>>;
  /** Highest VmRSS of the first watched process during the cell. */
  readonly maxRssBytes: number | undefined;
}

/** Processes whose CPU time is charged per request (e.g. the proxy and the MCP server behind it). */
export type WatchedProcesses = Readonly<Record<string, number>>;

export async function runCell(request: CellRequest, watched: WatchedProcesses): Promise<CellResult> {
  const latenciesMs: number[] = [];
  const pids = Object.entries(watched);
  const cpuBefore = pids.map(([, pid]) => readCpuMs(pid));
  const memory = pids[0] === undefined ? undefined : sampleMemory(pids[0][1]);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: request.url,
        method: 'POST',
        body: request.body,
        headers: request.headers,
        connections: request.connections,
        duration: request.durationSeconds,
        timeout: 30,
      },
      (error, finished) =>
        error === null || error === undefined ? resolve(finished) : reject(error as Error),
    );
    // autocannon's own histogram holds whole milliseconds; its per-response event has the fraction.
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode >= 200 && statusCode < 300) latenciesMs.push(responseTimeMs);
    });
  });
  const cpuAfter = pids.map(([, pid]) => readCpuMs(pid));
  const maxRssBytes = memory?.stop();

  latenciesMs.sort((a, b) => a - b);
  const requests = latenciesMs.length;
  const requestsPerSecond = requests / result.duration;
  return {
    requests,
    requestsPerSecond,
    meanMs: requestsPerSecond === 0 ? Number.NaN : (1000 / requestsPerSecond) * request.connections,
    p50Ms: percentile(latenciesMs, 0.5),
    p99Ms: percentile(latenciesMs, 0.99),
    failures: result.errors + result.timeouts + result.non2xx,
    cpuMicrosPerRequest: Object.fromEntries(
      pids.map(([name], index) => [
        name,
        requests === 0 ? Number.NaN : ((cpuAfter[index]! - cpuBefore[index]!) * 1000) / requests,
      ]),
    ),
    maxRssBytes,
  };
}

/** The value at rank q of sorted values (nearest rank). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
