/**
 * Requests per second, latency and CPU time per request for every payload
 * and connection count, the targets interleaved: within a round every cell
 * runs each target back to back, and each round starts with another target,
 * so a burst of someone else's work on a shared machine hits them alike.
 */
import type { BenchPlan } from './bench-plan.ts';
import { measureCell } from './measure-cell.ts';
import { waitUntilQuiet } from './proc-stats.ts';
import type { StartedTargets } from './start-targets.ts';
import type { MeasuredCell } from './summarize-results.ts';

export async function measureThroughput(
  plan: BenchPlan,
  started: StartedTargets,
  log: (line: string) => void,
): Promise<MeasuredCell[]> {
  const { targets, mcpServerPid } = started;
  const quietPids = [mcpServerPid, ...targets.flatMap((target) => target.proxyPid ?? [])];
  if (plan.warmupSeconds > 0) {
    for (const target of targets) await measureCell(target, mcpServerPid, 'echo', 32, plan.warmupSeconds);
  }
  const cells: MeasuredCell[] = [];
  for (let round = 1; round <= plan.rounds; round += 1) {
    const order = targets.map((_, index) => targets[(index + round - 1) % targets.length]!);
    for (const payload of plan.payloads) {
      for (const connections of plan.connections) {
        if (plan.skip[payload]?.includes(connections) === true) continue;
        for (const target of order) {
          // The twins (LOG_LEVEL=warn, untraced, metrics on, access rules, three servers) only answer what
          // logging, tracing, metrics, the policy step or more servers cost: tool calls suffice.
          if (target.name !== 'ours' && target.name.startsWith('ours-') && payload !== 'echo') continue;
          await waitUntilQuiet(quietPids, plan.settleMaxMs);
          const result = await measureCell(target, mcpServerPid, payload, connections, plan.cellSeconds);
          cells.push({ ...result, round, payload, connections, target: target.name });
          log(
            `round ${round} ${payload} ×${connections} ${target.name}: ${result.requestsPerSecond.toFixed(0)} req/s` +
              (result.failures > 0 ? `, ${result.failures} failed` : ''),
          );
        }
      }
    }
  }
  return cells;
}
