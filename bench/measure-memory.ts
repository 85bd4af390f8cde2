/**
 * The memory targets, each measured on proxies that have seen nothing else
 * (a process's resident size does not shrink back after a burst): at idle
 * after a login, at 32 connections of tool calls, and holding SSE streams.
 */
import type { BenchPlan } from './bench-plan.ts';
import { measureCell } from './measure-cell.ts';
import { mcpHeaders } from './payloads.ts';
import { readMemory } from './proc-stats.ts';
import { holdSseStreams, type SseResult } from './sse-streams.ts';
import type { StartedTargets } from './start-targets.ts';

const SSE_OPEN_OVER_MS = 1_000;

export interface MemoryPhase {
  readonly idleRssBytes: number;
  readonly bareIdleRssBytes: number;
  readonly at32ConnectionsRssBytes: number | undefined;
  readonly bareAt32ConnectionsRssBytes: number | undefined;
  readonly sse: Record<string, SseResult>;
}

export async function measureMemory(
  plan: BenchPlan,
  started: StartedTargets,
  log: (line: string) => void,
): Promise<MemoryPhase> {
  await new Promise((resolve) => setTimeout(resolve, plan.memory.idleSettleMs));
  const idleRssBytes = readMemory(started.target('ours').proxyPid!).rssBytes;
  const bareIdleRssBytes = readMemory(started.target('bare').proxyPid!).rssBytes;
  log(`our proxy idles at ${(idleRssBytes / 1024 / 1024).toFixed(1)} MiB`);

  const at32 = async (name: 'ours' | 'bare') =>
    (await measureCell(started.target(name), started.mcpServerPid, 'echo', 32, plan.memory.cellSeconds))
      .maxRssBytes;
  const bareAt32ConnectionsRssBytes = await at32('bare');
  const at32ConnectionsRssBytes = await at32('ours');

  if (plan.memory.freshProcesses) await started.restartProxies();
  const sse: Record<string, SseResult> = {};
  for (const name of ['bare', 'ours'] as const) {
    const holdSeconds = plan.sse.holdSeconds[name];
    if (holdSeconds === undefined) continue;
    const target = started.target(name);
    log(`${plan.sse.streams} SSE streams for ${holdSeconds} s through ${name}`);
    sse[name] = await holdSseStreams(
      {
        url: `${target.url}/sse`,
        headers: mcpHeaders(target.accessToken),
        streams: plan.sse.streams,
        holdSeconds,
        openOverMs: Math.min(SSE_OPEN_OVER_MS, plan.sse.streams),
      },
      target.proxyPid,
    );
  }
  if (plan.memory.freshProcesses) await started.restartProxies();
  return { idleRssBytes, bareIdleRssBytes, at32ConnectionsRssBytes, bareAt32ConnectionsRssBytes, sse };
}
