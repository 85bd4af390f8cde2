/**
 * `npm run bench:scale` (`node bench/scale-figures.ts [--smoke] [--out FILE]`):
 * the figures at scale of docs/scaling.md. Starts its own redis-server on a
 * free port (no persistence; never the shared one), the test IdP, the SDK MCP
 * echo server and our proxy (`node dist/main.js`) on that Redis, then measures
 * Redis memory per registration, sign-in and refresh; Redis commands per
 * proxied request (warm and cold cache), per sign-in and per refresh; and the
 * token check with a cold cache and 100,000 grants in the store. Prints
 * Markdown and writes bench/results/scale.json (and .md), with the worked
 * sizing for a million users computed from those figures.
 *
 * `--smoke` runs every step with small counts (CI: test/integration/bench-scale-smoke.test.ts).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureBuild } from '../test/support/ensure-build.ts';
import { currentCommit, describeMachine } from './bench-results.ts';
import { startScaleEnvironment, type ScaleEnvironment } from './scale-environment.ts';
import { usageByFamily } from './scale-key-families.ts';
import { measureMemory, type MemoryPlan } from './scale-memory.ts';
import { measureOps, type OpsPlan } from './scale-ops.ts';
import { renderScaleReport, type ScaleResults } from './scale-report.ts';
import { startSeedingApp, type SeedingApp } from './scale-seed-grants.ts';
import { computeSizing } from './scale-sizing.ts';
import { measureSteadyState, type SteadyStatePlan } from './scale-steady-state.ts';
import { measureTokenCheck, type TokenCheckPlan } from './scale-token-check.ts';

interface ScalePlan {
  readonly redisBenchmarkRequests: number;
  readonly memory: MemoryPlan;
  readonly ops: OpsPlan;
  readonly steadyState: SteadyStatePlan;
  readonly tokenCheck: TokenCheckPlan;
}

const PLANS: Record<'full' | 'smoke', ScalePlan> = {
  full: {
    redisBenchmarkRequests: 200_000,
    memory: {
      registrations: 1_000,
      signIns: 200,
      refreshedGrants: 10,
      refreshesPerGrant: 24,
      concurrency: 4,
    },
    ops: { warmRequests: 1_000, coldTokens: 200, signIns: 5, refreshes: 20, idleSeconds: 5, concurrency: 8 },
    steadyState: { grants: 10, windowSteps: 24, refreshesPerGrant: 40 },
    tokenCheck: { grants: 100_000, checks: 10_000, concurrency: 8, rounds: 2 },
  },
  smoke: {
    redisBenchmarkRequests: 2_000,
    memory: { registrations: 10, signIns: 4, refreshedGrants: 2, refreshesPerGrant: 2, concurrency: 4 },
    ops: { warmRequests: 20, coldTokens: 4, signIns: 1, refreshes: 1, idleSeconds: 1, concurrency: 4 },
    steadyState: { grants: 2, windowSteps: 2, refreshesPerGrant: 4 },
    tokenCheck: { grants: 200, checks: 50, concurrency: 4, rounds: 1 },
  },
};

const DEFAULT_OUT = fileURLToPath(new URL('./results/scale.json', import.meta.url));
const { values } = parseArgs({
  options: { smoke: { type: 'boolean', default: false }, out: { type: 'string', default: DEFAULT_OUT } },
});
const mode = values.smoke ? 'smoke' : 'full';
const plan = PLANS[mode];
const machine = describeMachine();
const startedMs = performance.now();
const log = (line: string) =>
  process.stderr.write(`[scale ${((performance.now() - startedMs) / 1000).toFixed(1)}s] ${line}\n`);

log(`mode ${mode}; building dist/ if stale`);
await ensureBuild();
const workDir = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-scale-'));
let environment: ScaleEnvironment | undefined;
let seeding: SeedingApp | undefined;
try {
  environment = await startScaleEnvironment(workDir, plan.redisBenchmarkRequests);
  const { figures: memory, signedIn } = await measureMemory(environment, plan.memory, log);
  const ops = await measureOps(environment, signedIn, plan.ops, log);
  const steadyState = await measureSteadyState(environment, plan.steadyState, log);
  seeding = await startSeedingApp(environment.proxyEnv);
  const templates = signedIn.map((client) => client.accessToken);
  const tokenCheck = await measureTokenCheck(environment, seeding, templates, plan.tokenCheck, log);
  const familiesAtEnd = usageByFamily(await environment.redis.scanKeys());
  const results: ScaleResults = {
    startedAt: new Date(Date.now() - (performance.now() - startedMs)).toISOString(),
    mode,
    commit: currentCommit(),
    machine,
    redisVersion: environment.redis.version,
    redisCeiling: environment.redisCeiling,
    memory,
    ops,
    steadyState,
    tokenCheck,
    familiesAtEnd,
    sizing: computeSizing(memory, ops, tokenCheck, familiesAtEnd, environment.redisCeiling),
    durationSeconds: (performance.now() - startedMs) / 1000,
  };
  await mkdir(dirname(values.out), { recursive: true });
  await writeFile(values.out, JSON.stringify(results, null, 2) + '\n');
  const report = renderScaleReport(results);
  await writeFile(values.out.replace(/\.json$/, '') + '.md', report);
  process.stdout.write(report);
  log(`done; wrote ${values.out}`);
} finally {
  await seeding?.close();
  await environment?.close();
  await rm(workDir, { recursive: true, force: true });
}
