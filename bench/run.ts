/**
 * `npm run bench` (`node bench/run.ts [--quick | --smoke] [--out FILE]`).
 *
 * Builds when dist/ is stale, starts on loopback an SDK MCP server, a bare
 * reverse proxy and our proxy (`node dist/main.js`), logs in for a token, then
 * measures the three interleaved (direct, bare, ours, direct, bare, ours, …)
 * so that noise on a shared machine hits them alike. Prints Markdown tables
 * and writes bench/results/latest.json (and .md). No thresholds fail the run:
 * the targets are reported, met or not.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureBuild } from '../test/support/ensure-build.ts';
import { benchPlan, type BenchMode, type BenchPlan } from './bench-plan.ts';
import { describeMachine, type BenchResults } from './bench-results.ts';
import { runCell } from './load-cell.ts';
import { mcpHeaders, PAYLOAD_BODIES } from './payloads.ts';
import { readMemory, waitUntilQuiet } from './proc-stats.ts';
import { renderReport } from './render-report.ts';
import { holdSseStreams, type SseResult } from './sse-streams.ts';
import { startTargets, type StartedTargets, type Target } from './start-targets.ts';
import { checkTargets, summarizeCells, type MeasuredCell } from './summarize-results.ts';

const DEFAULT_OUT = fileURLToPath(new URL('./results/latest.json', import.meta.url));
/** Let the proxy settle after the login before its idle memory is read. */
const IDLE_SETTLE_MS = 1_000;
const SSE_OPEN_OVER_MS = 1_000;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    out: { type: 'string', default: DEFAULT_OUT },
  },
});
const mode: BenchMode = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full';
const plan = benchPlan(mode);
const startedMs = performance.now();
const machine = describeMachine();
const log = (line: string) => process.stderr.write(`[bench ${elapsed()}] ${line}\n`);
const elapsed = () => `${((performance.now() - startedMs) / 1000).toFixed(1)}s`;

log(`mode ${mode}; building dist/ if stale`);
await ensureBuild();
const workDir = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-bench-'));
let started: StartedTargets | undefined;
try {
  started = await startTargets(plan, workDir);
  const results = await measure(plan, started);
  await mkdir(dirname(values.out), { recursive: true });
  await writeFile(values.out, JSON.stringify(results, null, 2) + '\n');
  const report = renderReport(results);
  await writeFile(values.out.replace(/\.json$/, '') + '.md', report);
  process.stdout.write(report);
  log(`done; wrote ${values.out}`);
} finally {
  await started?.close();
  await rm(workDir, { recursive: true, force: true });
}

async function measure(plan: BenchPlan, started: StartedTargets): Promise<BenchResults> {
  const { targets, mcpServerPid, ours } = started;
  for (const target of targets) await checkAnswers(target);
  await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
  const idleRssBytes = readMemory(ours.child.pid).rssBytes;
  const bareIdleRssBytes = readMemory(started.bare.pid).rssBytes;
  log(`targets ready; our proxy idles at ${(idleRssBytes / 1024 / 1024).toFixed(1)} MiB`);

  const cellFor = (
    target: Target,
    payload: keyof typeof PAYLOAD_BODIES,
    connections: number,
    seconds: number,
  ) =>
    runCell(
      {
        url: target.url,
        body: PAYLOAD_BODIES[payload],
        headers: mcpHeaders(target.accessToken),
        connections,
        durationSeconds: seconds,
      },
      target.proxyPid === undefined ? { mcp: mcpServerPid } : { proxy: target.proxyPid, mcp: mcpServerPid },
    );

  if (plan.warmupSeconds > 0) {
    for (const target of targets) await cellFor(target, 'echo', 32, plan.warmupSeconds);
  }
  const cells: MeasuredCell[] = [];
  const quietPids = [mcpServerPid, ...targets.flatMap((target) => target.proxyPid ?? [])];
  for (let round = 1; round <= plan.rounds; round += 1) {
    // Each round starts with another target, so that none always follows the same neighbour.
    const order = targets.map((_, index) => targets[(index + round - 1) % targets.length]!);
    for (const payload of plan.payloads) {
      for (const connections of plan.connections) {
        if (plan.skip[payload]?.includes(connections) === true) continue;
        for (const target of order) {
          if (target.name === 'ours-warn' && payload !== 'echo') continue;
          await waitUntilQuiet(quietPids, plan.settleMaxMs);
          const result = await cellFor(target, payload, connections, plan.cellSeconds);
          cells.push({ ...result, round, payload, connections, target: target.name });
          log(
            `round ${round} ${payload} ×${connections} ${target.name}: ${result.requestsPerSecond.toFixed(0)} req/s` +
              (result.failures > 0 ? `, ${result.failures} failed` : ''),
          );
        }
      }
    }
  }

  const sse: Record<string, SseResult> = {};
  for (const target of targets) {
    const holdSeconds = plan.sse.holdSeconds[target.name];
    if (holdSeconds === undefined) continue;
    await waitUntilQuiet(quietPids, plan.settleMaxMs);
    log(`${plan.sse.streams} SSE streams for ${holdSeconds} s through ${target.name}`);
    sse[target.name] = await holdSseStreams(
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

  const summary = summarizeCells(cells);
  // The memory target at 32 connections is for tool calls; 32 MiB responses in flight are another story.
  const at32 = (target: string) =>
    cells
      .filter((cell) => cell.target === target && cell.connections === 32 && cell.payload === 'echo')
      .reduce<number | undefined>((max, cell) => Math.max(max ?? 0, cell.maxRssBytes ?? 0), undefined);
  const memory = {
    readyRssBytes: started.readyRssBytes,
    idleRssBytes,
    bareIdleRssBytes,
    at32ConnectionsRssBytes: at32('ours'),
    bareAt32ConnectionsRssBytes: at32('bare'),
    bareSseRssBytes: sse['bare']?.maxRssBytes,
    sseRssBytes: sse['ours']?.maxRssBytes,
    peakRssBytes: readMemory(ours.child.pid).peakRssBytes,
  };
  return {
    startedAt: new Date(Date.now() - (performance.now() - startedMs)).toISOString(),
    durationSeconds: (performance.now() - startedMs) / 1000,
    machine,
    plan,
    startup: started.startup,
    memory,
    cells,
    summary,
    sse,
    checks: checkTargets(summary, memory, sse['ours']),
  };
}

/** One echo through the target before any load: a misconfigured target fails here, not as a fast 401. */
async function checkAnswers(target: Target): Promise<void> {
  const response = await fetch(target.url, {
    method: 'POST',
    headers: mcpHeaders(target.accessToken),
    body: PAYLOAD_BODIES.echo,
  });
  const text = await response.text();
  if (response.status !== 200 || !text.includes('hello')) {
    throw new Error(`${target.name} answered ${response.status}: ${text.slice(0, 300)}`);
  }
}
