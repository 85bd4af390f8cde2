/**
 * The worked sizing of docs/scaling.md, computed from the measured figures so
 * that the arithmetic is done once, by code, and every line names its input.
 * Assumptions that are not measurements (the load model) are the constants
 * below, each stated in the report.
 */
import { GRANT_SET_FIRST_CHECKPOINT_MEMBERS } from '../src/store/grant-set-pruning.ts';
import type { FamilyUsage } from './scale-key-families.ts';
import type { MemoryFigures } from './scale-memory.ts';
import type { OpsFigures } from './scale-ops.ts';
import type { TokenCheckFigures } from './scale-token-check.ts';

export const LOAD_MODEL = {
  users: 1_000_000,
  clientsPerUser: 2,
  toolCallsPerUserPerDay: 1_000,
  /** The calls of a day fall within a working day of this many hours… */
  activeHoursPerDay: 8,
  /** …and the busiest moments run at this multiple of the working-day mean. */
  burstFactor: 2,
  /** Each client refreshes once per access-token lifetime (1 h) while active. */
  refreshesPerClientPerDay: 8,
  /** A grant lives 14 days (MCP_AUTH_PROXY_REFRESH_TOKEN_TTL_SECONDS), then the user signs in again. */
  grantLifetimeDays: 14,
  /** A rotated refresh token is kept this long (MCP_AUTH_PROXY_REFRESH_TOKEN_REUSE_DETECTION_SECONDS, default). */
  reuseDetectionDays: 1,
  /** The CPU share at peak that leaves room for failover and spikes. */
  targetCpuUtilization: 0.7,
} as const;

/** A figure measured by the other benchmark (npm run bench), used as a cross-check of the instance count. */
export const THROUGHPUT_BENCHMARK = {
  requestsPerSecondAt32Connections: 1_885,
  source: 'docs/benchmarks.md, Latest run: echo at 32 connections, ours (warm cache, SQLite)',
} as const;

export interface SizingLine {
  readonly quantity: string;
  readonly value: number;
  readonly unit: string;
  /** How it was computed, with the measured inputs named. */
  readonly how: string;
}

const SECONDS_PER_DAY = 86_400;

export function computeSizing(
  memory: MemoryFigures,
  ops: OpsFigures,
  tokenCheck: TokenCheckFigures,
  familiesAtEnd: readonly FamilyUsage[],
  redisCeiling: { getPerSecond: number; setPerSecond: number },
): SizingLine[] {
  const m = LOAD_MODEL;
  const r = m.refreshesPerClientPerDay;
  const clients = m.users * m.clientsPerUser;
  const meanRps = (m.users * m.toolCallsPerUserPerDay) / SECONDS_PER_DAY;
  const peakFactor = (24 / m.activeHoursPerDay) * m.burstFactor;
  const peakRps = meanRps * peakFactor;

  // Instances: the proxy's CPU per request (worst round), cold and warm.
  const coldCpuUs = Math.max(...tokenCheck.rounds.map((each) => each.httpCold.proxyCpuMicroseconds));
  const warmCpuUs = Math.max(...tokenCheck.rounds.map((each) => each.httpWarm.proxyCpuMicroseconds));
  const coresCold = (peakRps * coldCpuUs) / 1e6 / m.targetCpuUtilization;
  const coresWarm = (peakRps * warmCpuUs) / 1e6 / m.targetCpuUtilization;
  const instances = Math.ceil(coresCold);
  const benchColdRps = (THROUGHPUT_BENCHMARK.requestsPerSecondAt32Connections * warmCpuUs) / coldCpuUs;
  const benchInstances = Math.ceil(peakRps / (benchColdRps * m.targetCpuUtilization));

  // Redis commands: what each request, refresh, sign-in and idle instance sends (MONITOR).
  const refreshPerSecondPeak = ((clients * r) / (m.activeHoursPerDay * 3600)) * m.burstFactor;
  const signInsPerSecond = clients / m.grantLifetimeDays / SECONDS_PER_DAY;
  const opsOf = (step: OpsFigures['cold']) => step.readsEach + step.writesEach;
  // Grant-set pruning (src/store/grant-set-pruning.ts): a set pruned back to p members is read again
  // at 2p, after p adds (p/2 refreshes): 2p GETs, one SMEMBERS and one SREM. MONITOR's 20 refreshes
  // rarely meet a check, so it is added here.
  const setFloor = prunedSetFloor(2 + Math.min(r * m.reuseDetectionDays, r * m.grantLifetimeDays));
  const pruneOpsPerRefresh = (2 * setFloor + 2) / (setFloor / 2);
  const otherOps =
    refreshPerSecondPeak * (opsOf(ops.refresh) + pruneOpsPerRefresh) +
    signInsPerSecond * opsOf(ops.signIn) +
    instances * opsOf(ops.idle);
  const redisOpsCold = peakRps * opsOf(ops.cold) + otherOps;
  const redisOpsWarm = peakRps * opsOf(ops.warm) + otherOps;
  const ceiling = Math.min(redisCeiling.getPerSecond, redisCeiling.setPerSecond);
  const primaries = Math.ceil(redisOpsCold / (ceiling * m.targetCpuUtilization));
  // One message per upstream refresh (the vault), delivered to every instance; IdP tokens assumed to live 1 h too.
  const fanOutPerSecond = refreshPerSecondPeak * instances;

  // Memory at steady state, each family with its TTL (docs/storage-schema.md).
  const perFamily = (step: { families: readonly FamilyUsage[]; count: number }, family: string) => {
    const usage = step.families.find((each) => each.family === family);
    return usage === undefined ? 0 : usage.bytes / step.count;
  };
  const signIn = (family: string) => perFamily(memory.signIns, family);
  const refreshRt = perFamily(memory.refreshes, 'RefreshToken:*');
  // The current refresh token, and the rotated ones of the last reuse-detection window; nothing of a
  // grant outlives it, so the previous grant leaves no tokens behind.
  const refreshesInWindow = Math.min(r * m.reuseDetectionDays, r * m.grantLifetimeDays);
  const liveRefreshTokens = 1 + refreshesInWindow;
  // The set lists the live tokens (those refresh tokens and the access token), padded by pruning to
  // between p and 2p members, p the power of two above them (src/store/grant-set-pruning.ts): p × 1.5 on average.
  const setMembers = 1.5 * prunedSetFloor(liveRefreshTokens + 1);
  const setBytes =
    memory.grantSet.bytesAfterSignIn +
    (setMembers - memory.grantSet.membersAfterSignIn) * memory.grantSet.bytesPerMember;
  const rateLimitKey = familiesAtEnd.find((each) => each.family === 'ratelimit:mcp:*');
  const perClient = {
    registration: memory.registrations.bytesEach,
    grantSessionIndex: signIn('Grant:*') + signIn('Session:*') + signIn('uid:Session:*'),
    accessToken: signIn('AccessToken:*'),
    refreshTokens: liveRefreshTokens * refreshRt,
    upstreamTokens: 2 * signIn('upstream-tokens:*'),
    grantSets: setBytes,
    rateLimit: rateLimitKey === undefined ? 0 : rateLimitKey.bytes / rateLimitKey.keys,
  };
  const perClientTotal = Object.values(perClient).reduce((sum, bytes) => sum + bytes, 0);
  const withoutHistory = perClientTotal - perClient.refreshTokens - perClient.grantSets;
  const gib = (bytes: number) => (bytes * clients) / 2 ** 30;

  return [
    line(
      'tool calls, mean',
      meanRps,
      'req/s',
      `${fmt(m.users)} users × ${fmt(m.toolCallsPerUserPerDay)} calls ÷ 86,400 s`,
    ),
    line(
      'tool calls, peak',
      peakRps,
      'req/s',
      `mean × ${peakFactor} (24 h ÷ ${m.activeHoursPerDay} h working day × burst ${m.burstFactor})`,
    ),
    line(
      'proxy CPU per tool call, cold',
      coldCpuUs,
      'µs',
      'measured: HTTP pass on a fresh proxy, each token once (worst round)',
    ),
    line(
      'proxy CPU per tool call, warm',
      warmCpuUs,
      'µs',
      'measured: the same tokens again, from the cache (worst round)',
    ),
    line(
      'proxy cores at peak, every call cold',
      coresCold,
      'cores',
      `peak × ${fmt(coldCpuUs)} µs ÷ ${m.targetCpuUtilization} target utilization`,
    ),
    line(
      'proxy cores at peak, every call warm',
      coresWarm,
      'cores',
      `peak × ${fmt(warmCpuUs)} µs ÷ ${m.targetCpuUtilization}`,
    ),
    line('instances (one Node process per core)', instances, 'instances', 'cold-case cores, rounded up'),
    line(
      'cross-check: instances from the throughput benchmark',
      benchInstances,
      'instances',
      `${fmt(THROUGHPUT_BENCHMARK.requestsPerSecondAt32Connections)} req/s (${THROUGHPUT_BENCHMARK.source}) × ${fmt(warmCpuUs)}/${fmt(coldCpuUs)} warm/cold CPU = ${fmt(benchColdRps)} req/s cold; at ${m.targetCpuUtilization}`,
    ),
    line(
      'refreshes, peak',
      refreshPerSecondPeak,
      'req/s',
      `${fmt(clients)} clients × ${r}/day within ${m.activeHoursPerDay} h × burst ${m.burstFactor}`,
    ),
    line(
      'sign-ins, mean',
      signInsPerSecond,
      'per s',
      `${fmt(clients)} clients ÷ ${m.grantLifetimeDays} days`,
    ),
    line(
      'Redis commands at peak, every call cold',
      redisOpsCold,
      'ops/s',
      `peak × ${fmt(opsOf(ops.cold))} + refreshes × (${fmt(opsOf(ops.refresh))} + ${fmt(pruneOpsPerRefresh)} grant-set pruning) + sign-ins × ${fmt(opsOf(ops.signIn))} + instances × ${fmt(opsOf(ops.idle))}/s idle`,
    ),
    line(
      'Redis commands at peak, every call warm',
      redisOpsWarm,
      'ops/s',
      `peak × ${fmt(opsOf(ops.warm))} + the same refreshes, sign-ins and idle`,
    ),
    line(
      'one Redis thread here (redis-benchmark, lower of GET and SET)',
      ceiling,
      'ops/s',
      `measured: GET ${fmt(redisCeiling.getPerSecond)}, SET ${fmt(redisCeiling.setPerSecond)} (50 clients, no pipelining)`,
    ),
    line(
      'Redis primaries, every call cold',
      primaries,
      'primaries',
      `cold ops ÷ (one thread × ${m.targetCpuUtilization})`,
    ),
    line(
      'Redis connections',
      instances * ops.connectionsPerInstance,
      'connections',
      `instances × ${fmt(ops.connectionsPerInstance)} measured per instance`,
    ),
    line(
      'pub/sub deliveries at peak',
      fanOutPerSecond,
      'messages/s',
      'one message per upstream refresh (at the refresh rate) × every instance',
    ),
    line(
      'Redis memory per client: registration',
      perClient.registration,
      'bytes',
      'used_memory per registration (never expires)',
    ),
    line('…grant + session + uid index', perClient.grantSessionIndex, 'bytes', 'MEMORY USAGE per sign-in'),
    line('…access token (1 h)', perClient.accessToken, 'bytes', 'MEMORY USAGE per sign-in'),
    line(
      '…refresh tokens alive',
      perClient.refreshTokens,
      'bytes',
      `(1 + ${r}/day × ${m.reuseDetectionDays} d reuse-detection window) × ${fmt(refreshRt)} B: a rotated one is kept for the window only`,
    ),
    line(
      '…sealed IdP tokens',
      perClient.upstreamTokens,
      'bytes',
      'current grant + the previous one until its TTL',
    ),
    line(
      '…grant sets',
      perClient.grantSets,
      'bytes',
      `${fmt(setMembers)} members on average (pruned to the power of two above ${fmt(liveRefreshTokens + 1)} live tokens, padded up to twice that) at ${fmt(memory.grantSet.bytesPerMember)} B`,
    ),
    line(
      '…rate-limit counter',
      perClient.rateLimit,
      'bytes',
      'MEMORY USAGE of ratelimit:mcp:<grant> (60 s window)',
    ),
    line('Redis memory per client', perClientTotal, 'bytes', 'sum of the above'),
    line(
      'Redis memory, all clients',
      gib(perClientTotal),
      'GiB',
      `${fmt(clients)} clients × per client (used_memory; RSS adds allocator overhead)`,
    ),
    line(
      '…of which refresh-token history and grant sets',
      gib(perClientTotal - withoutHistory),
      'GiB',
      'rotated refresh tokens within the reuse-detection window, and grant-set members',
    ),
  ];
}

/** The size a grant set is pruned back to with `live` live members (src/store/grant-set-pruning.ts). */
function prunedSetFloor(live: number): number {
  let floor = GRANT_SET_FIRST_CHECKPOINT_MEMBERS / 2;
  while (floor < live) floor *= 2;
  return floor;
}

function line(quantity: string, value: number, unit: string, how: string): SizingLine {
  return { quantity, value, unit, how };
}

export function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(value >= 10 ? 1 : 2);
}
