/**
 * What one grant holds in Redis once it has been refreshed for longer than the
 * refresh-token reuse-detection window: its steady state, which is also what
 * it holds on day 14. Time is scaled, since Redis expires keys in real time:
 * the proxy is restarted with 1-second access tokens and a reuse-detection
 * window of `windowSteps` seconds, and each client refreshes once a second.
 * One second stands for one hour of the default configuration (1-hour access
 * tokens, a 1-day window, hourly refreshes); the records are the same size.
 * Then every member of each grant's `grant:<id>` set is read back: which are
 * still alive, and their MEMORY USAGE.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { familyOf } from './scale-key-families.ts';
import { BENCH_KEY_PREFIX } from './scale-redis.ts';
import { inParallel, type ScaleEnvironment } from './scale-environment.ts';

export interface SteadyStatePlan {
  readonly grants: number;
  /** The reuse-detection window, in refresh intervals (24: a day of hourly refreshes). */
  readonly windowSteps: number;
  /** Refreshes per grant; more than windowSteps, so that the window is full and the set was pruned. */
  readonly refreshesPerGrant: number;
}

export interface SteadyStateFigures {
  readonly grants: number;
  readonly windowSteps: number;
  readonly refreshesPerGrant: number;
  /** Means per grant at the end. */
  readonly liveRefreshTokens: number;
  readonly liveRefreshTokenBytes: number;
  readonly liveAccessTokens: number;
  readonly liveAccessTokenBytes: number;
  readonly setMembers: number;
  readonly setBytes: number;
  /** The largest set seen at the end. */
  readonly largestSetMembers: number;
  /** Members the set would hold without pruning: 3 at the sign-in, 2 per refresh. */
  readonly membersIssued: number;
}

const STEP_MS = 1_000;

export async function measureSteadyState(
  environment: ScaleEnvironment,
  plan: SteadyStatePlan,
  log: (line: string) => void,
): Promise<SteadyStateFigures> {
  await environment.restartProxy({
    MCP_AUTH_PROXY_ACCESS_TOKEN_TTL_SECONDS: String(STEP_MS / 1000),
    MCP_AUTH_PROXY_REFRESH_TOKEN_GRACE_SECONDS: '1',
    MCP_AUTH_PROXY_REFRESH_TOKEN_REUSE_DETECTION_SECONDS: String((plan.windowSteps * STEP_MS) / 1000),
  });
  const setsBefore = new Set(await grantSetKeys(environment));
  const clients = await inParallel(plan.grants, 4, (index) => environment.signIn(`steady-${index}`));
  const sets = (await grantSetKeys(environment)).filter((key) => !setsBefore.has(key));
  log(`steady state: ${plan.grants} grants × ${plan.refreshesPerGrant} refreshes, one a second`);
  for (let round = 0; round < plan.refreshesPerGrant; round += 1) {
    const startedMs = performance.now();
    await Promise.all(clients.map((client) => environment.refresh(client)));
    await sleep(Math.max(0, STEP_MS - (performance.now() - startedMs)));
  }

  const perGrant = await Promise.all(sets.map((key) => readGrantSet(environment, key)));
  const mean = (pick: (each: GrantSetReading) => number) =>
    perGrant.reduce((sum, each) => sum + pick(each), 0) / Math.max(1, perGrant.length);
  return {
    grants: plan.grants,
    windowSteps: plan.windowSteps,
    refreshesPerGrant: plan.refreshesPerGrant,
    liveRefreshTokens: mean((each) => each.live.get('RefreshToken:*')?.count ?? 0),
    liveRefreshTokenBytes: mean((each) => each.live.get('RefreshToken:*')?.bytes ?? 0),
    liveAccessTokens: mean((each) => each.live.get('AccessToken:*')?.count ?? 0),
    liveAccessTokenBytes: mean((each) => each.live.get('AccessToken:*')?.bytes ?? 0),
    setMembers: mean((each) => each.members),
    setBytes: mean((each) => each.bytes),
    largestSetMembers: Math.max(0, ...perGrant.map((each) => each.members)),
    membersIssued: 3 + 2 * plan.refreshesPerGrant,
  };
}

interface GrantSetReading {
  readonly members: number;
  readonly bytes: number;
  /** Live members by family: how many, and their MEMORY USAGE. */
  readonly live: ReadonlyMap<string, { count: number; bytes: number }>;
}

async function grantSetKeys(environment: ScaleEnvironment): Promise<string[]> {
  return (await environment.redis.scanKeys())
    .map((each) => each.key)
    .filter((key) => key.startsWith('grant:'));
}

async function readGrantSet(environment: ScaleEnvironment, key: string): Promise<GrantSetReading> {
  const { redis } = environment;
  const members = await redis.setMembers(key);
  const live = new Map<string, { count: number; bytes: number }>();
  for (const member of members) {
    // Expired records may wait for Redis to reclaim them; MEMORY USAGE would still count them.
    if (!(await redis.exists(member))) continue;
    const bytes = await redis.memoryUsage(BENCH_KEY_PREFIX + member);
    const family = familyOf(member);
    const entry = live.get(family) ?? { count: 0, bytes: 0 };
    live.set(family, { count: entry.count + 1, bytes: entry.bytes + bytes });
  }
  return { members: members.length, bytes: await redis.memoryUsage(BENCH_KEY_PREFIX + key), live };
}
