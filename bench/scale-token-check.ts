/**
 * How long a token check takes with a cold cache and many grants in the store.
 *
 * Two views of the same path, each a first use of the token:
 * - in-process: the authorization server's own `verifyAccessToken` (what the
 *   access cache calls on a miss: oidc-provider's `AccessToken.find`, a GET,
 *   the record parsed into a model, expiry and audience checked), timed alone,
 *   with the store holding `grants` grants;
 * - over HTTP: tool calls to a freshly started proxy process, each with a token
 *   it has never seen (cold: the token check and the sealed IdP token are read
 *   from Redis), then the same tokens again (warm: both from memory). The
 *   difference is what a cold cache costs a request end to end.
 */
import { loadavg } from 'node:os';
import type { ScaleEnvironment } from './scale-environment.ts';
import type { SeedingApp } from './scale-seed-grants.ts';
import { setTimeout as delay } from 'node:timers/promises';
import { readCpuMs } from './proc-stats.ts';
import { callTools, percentiles, type Percentiles } from './scale-tool-calls.ts';

/** One pass of tool calls: latency, and CPU per request of the proxy process (/proc) and of Redis (INFO cpu). */
export type HttpPass = Percentiles & {
  readonly requestsPerSecond: number;
  readonly proxyCpuMicroseconds: number;
  readonly redisCpuMicroseconds: number;
};

export interface TokenCheckRound {
  /** The 1-minute load average just before the round (2 cores, shared). */
  readonly loadAverage: number;
  readonly inProcessCold: Percentiles;
  readonly httpCold: HttpPass;
  readonly httpWarm: HttpPass;
}

export interface TokenCheckFigures {
  readonly grantsInStore: number;
  readonly seedSeconds: number;
  /** used_memory added by the seeded grants ÷ their count. */
  readonly seededBytesPerGrant: number;
  readonly checksPerRound: number;
  readonly concurrency: number;
  /** The in-process cold check before seeding (only the sign-ins' grants in the store), for comparison. */
  readonly inProcessColdSmallStore: Percentiles;
  readonly rounds: readonly TokenCheckRound[];
}

export interface TokenCheckPlan {
  readonly grants: number;
  readonly checks: number;
  readonly concurrency: number;
  readonly rounds: number;
}

export async function measureTokenCheck(
  environment: ScaleEnvironment,
  seeding: SeedingApp,
  templateTokens: readonly string[],
  plan: TokenCheckPlan,
  log: (line: string) => void,
): Promise<TokenCheckFigures> {
  const verify = seeding.app.authorizationServer.verifyAccessToken;
  const timeChecks = async (tokens: readonly string[]): Promise<Percentiles> => {
    const samplesMs: number[] = [];
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < tokens.length; index = next++) {
        const startedMs = performance.now();
        const access = await verify(tokens[index] ?? '');
        samplesMs.push(performance.now() - startedMs);
        if (access === undefined) throw new Error('a seeded token did not verify');
      }
    };
    await Promise.all(Array.from({ length: plan.concurrency }, worker));
    return percentiles(samplesMs);
  };

  log(`token check: in-process, ${templateTokens.length} grants in the store`);
  const inProcessColdSmallStore = await timeChecks(
    Array.from({ length: plan.checks }, (_, index) => templateTokens[index % templateTokens.length] ?? ''),
  );

  log(`token check: seeding ${plan.grants} grants`);
  const memoryBefore = await environment.redis.usedMemoryBytes();
  const seedStartedMs = performance.now();
  const seeded = await seeding.seed(templateTokens[0] ?? '', plan.grants, log);
  const seedSeconds = (performance.now() - seedStartedMs) / 1000;
  const seededBytesPerGrant = ((await environment.redis.usedMemoryBytes()) - memoryBefore) / plan.grants;

  const redisIdleCpu = await redisIdleCpuSecondsPerMs(environment);
  const rounds: TokenCheckRound[] = [];
  for (let round = 0; round < plan.rounds; round += 1) {
    const loadAverage = loadavg()[0] ?? NaN;
    log(`token check round ${round + 1}: load ${loadAverage.toFixed(2)}; in-process cold`);
    const inProcessCold = await timeChecks(sample(seeded, plan.checks));
    log(`token check round ${round + 1}: over HTTP, fresh proxy`);
    await environment.restartProxy();
    // Compiled code, not caches: one token's calls warm the process up without touching the measured tokens.
    await pass(
      environment,
      Array.from({ length: 500 }, () => templateTokens[0] ?? ''),
      plan.concurrency,
      0,
    );
    const fresh = seeded.slice(round * plan.checks, (round + 1) * plan.checks);
    const httpCold = await pass(environment, fresh, plan.concurrency, redisIdleCpu);
    // The access cache keeps a token 30 s and 10,000 entries: the latest half is surely still there.
    const httpWarm = await pass(
      environment,
      fresh.slice(-Math.ceil(fresh.length / 2)),
      plan.concurrency,
      redisIdleCpu,
    );
    rounds.push({ loadAverage, inProcessCold, httpCold, httpWarm });
  }
  return {
    grantsInStore: plan.grants + templateTokens.length,
    seedSeconds,
    seededBytesPerGrant,
    checksPerRound: plan.checks,
    concurrency: plan.concurrency,
    inProcessColdSmallStore,
    rounds,
  };
}

async function redisIdleCpuSecondsPerMs(environment: ScaleEnvironment): Promise<number> {
  const IDLE_MS = 2_000;
  const before = await environment.redis.cpuSeconds();
  await delay(IDLE_MS);
  return ((await environment.redis.cpuSeconds()) - before) / IDLE_MS;
}

/** Tool calls with the given tokens; Redis's own idle CPU (serverCron, keep-alives) is taken off its share. */
async function pass(
  environment: ScaleEnvironment,
  tokens: readonly string[],
  concurrency: number,
  redisIdleCpuPerMs: number,
): Promise<HttpPass> {
  const pid = environment.proxy().child.pid;
  const [redisBefore, proxyBeforeMs] = [await environment.redis.cpuSeconds(), readCpuMs(pid)];
  const calls = await callTools(environment.proxy().mcpUrl, tokens, concurrency);
  const [redisAfter, proxyAfterMs] = [await environment.redis.cpuSeconds(), readCpuMs(pid)];
  if (calls.failures > 0) throw new Error(`${calls.failures} of ${tokens.length} tool calls failed`);
  const redisSeconds = Math.max(0, redisAfter - redisBefore - redisIdleCpuPerMs * calls.wallMs);
  return {
    ...percentiles(calls.latenciesMs),
    requestsPerSecond: tokens.length / (calls.wallMs / 1000),
    proxyCpuMicroseconds: ((proxyAfterMs - proxyBeforeMs) * 1000) / tokens.length,
    redisCpuMicroseconds: (redisSeconds * 1e6) / tokens.length,
  };
}

/** `count` distinct tokens picked at random. */
function sample(tokens: readonly string[], count: number): string[] {
  const pool = [...tokens];
  for (let index = 0; index < Math.min(count, pool.length); index += 1) {
    const pick = index + Math.floor(Math.random() * (pool.length - index));
    [pool[index], pool[pick]] = [pool[pick] as string, pool[index] as string];
  }
  return pool.slice(0, count);
}
