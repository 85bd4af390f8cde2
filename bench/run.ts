/**
 * `npm run bench` (`node bench/run.ts [--quick | --smoke] [--out FILE]
 * [--proxy-main PATH] [--servers 1|3] [--tracing on|off]`); `--proxy-main`
 * measures another build of the proxy (e.g. an older commit's dist/main.js)
 * instead of this one's; `--servers 3` also measures our proxy with three MCP
 * servers behind it (a servers file), the load on one of them; `--tracing off`
 * runs our proxy with OTEL_SDK_DISABLED=true.
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
import { benchPlan, type BenchMode, type BenchOptions, type BenchPlan } from './bench-plan.ts';
import { currentCommit, describeMachine, type BenchResults } from './bench-results.ts';
import { measureMemory } from './measure-memory.ts';
import { measureThroughput } from './measure-throughput.ts';
import { DEFAULT_MAIN_PATH, startScriptNodeOptions } from './our-proxy.ts';
import { mcpHeaders, PAYLOAD_BODIES } from './payloads.ts';
import { readMemory } from './proc-stats.ts';
import { renderReport } from './render-report.ts';
import { startTargets, type StartedTargets, type Target } from './start-targets.ts';
import { checkTargets, summarizeCells } from './summarize-results.ts';

const DEFAULT_OUT = fileURLToPath(new URL('./results/latest.json', import.meta.url));

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    out: { type: 'string', default: DEFAULT_OUT },
    'proxy-main': { type: 'string' },
    servers: { type: 'string', default: '1' },
    tracing: { type: 'string', default: 'on' },
  },
});
const mode: BenchMode = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full';
const plan = benchPlan(mode, benchOptions(values.servers, values.tracing));
const startedMs = performance.now();
const machine = describeMachine();
const log = (line: string) => process.stderr.write(`[bench ${elapsed()}] ${line}\n`);
const elapsed = () => `${((performance.now() - startedMs) / 1000).toFixed(1)}s`;

const mainPath = values['proxy-main'];
if (mainPath === undefined) {
  log(`mode ${mode}; building dist/ if stale`);
  await ensureBuild();
} else {
  log(`mode ${mode}; measuring ${mainPath}`);
}
const workDir = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-bench-'));
let started: StartedTargets | undefined;
try {
  started = await startTargets(plan, workDir, mainPath);
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
  for (const target of started.targets) await checkAnswers(target);
  const memoryPhase = await measureMemory(plan, started, log);
  const cells = await measureThroughput(plan, started, log);
  const summary = summarizeCells(cells);
  const { sse } = memoryPhase;
  const memory = {
    readyRssBytes: started.readyRssBytes,
    idleRssBytes: memoryPhase.idleRssBytes,
    bareIdleRssBytes: memoryPhase.bareIdleRssBytes,
    at32ConnectionsRssBytes: memoryPhase.at32ConnectionsRssBytes,
    bareAt32ConnectionsRssBytes: memoryPhase.bareAt32ConnectionsRssBytes,
    sseRssBytes: sse['ours']?.maxRssBytes,
    bareSseRssBytes: sse['bare']?.maxRssBytes,
    // After every cell, 1 MiB responses at 32 connections included.
    peakRssBytes: readMemory(started.target('ours').proxyPid!).peakRssBytes,
  };
  return {
    startedAt: new Date(Date.now() - (performance.now() - startedMs)).toISOString(),
    build: {
      main: mainPath ?? DEFAULT_MAIN_PATH,
      commit: currentCommit(),
      nodeOptions: startScriptNodeOptions(mainPath ?? DEFAULT_MAIN_PATH),
    },
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

function benchOptions(servers: string, tracing: string): BenchOptions {
  if (servers !== '1' && servers !== '3') throw new Error(`--servers is 1 or 3, not ${servers}`);
  if (tracing !== 'on' && tracing !== 'off') throw new Error(`--tracing is on or off, not ${tracing}`);
  return { servers: servers === '3' ? 3 : 1, tracing };
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
