/** The scale benchmark's results as Markdown (printed, and written beside the JSON). */
import type { FamilyUsage } from './scale-key-families.ts';
import type { MemoryFigures, MemoryStep } from './scale-memory.ts';
import type { OpsFigures, OpsStep } from './scale-ops.ts';
import { fmt, type SizingLine } from './scale-sizing.ts';
import type { SteadyStateFigures } from './scale-steady-state.ts';
import type { TokenCheckFigures } from './scale-token-check.ts';
import type { Percentiles } from './scale-tool-calls.ts';

export interface ScaleResults {
  readonly startedAt: string;
  readonly mode: 'full' | 'smoke';
  readonly commit: string | undefined;
  readonly machine: { cpus: number; cpuModel: string; node: string; loadAverageAtStart: readonly number[] };
  readonly redisVersion: string;
  readonly redisCeiling: { getPerSecond: number; setPerSecond: number };
  readonly memory: MemoryFigures;
  readonly ops: OpsFigures;
  readonly steadyState: SteadyStateFigures;
  readonly tokenCheck: TokenCheckFigures;
  /** Every family in the store after all phases. */
  readonly familiesAtEnd: readonly FamilyUsage[];
  readonly sizing: readonly SizingLine[];
  readonly durationSeconds: number;
}

/** Hourly refreshes for a grant's whole 14-day life. */
const REFRESHES_BY_DAY_14 = 14 * 24;

export function renderScaleReport(results: ScaleResults): string {
  const { memory, ops, steadyState: steady, tokenCheck, machine } = results;
  const setUnprunedMembers = memory.grantSet.membersAfterSignIn + 2 * REFRESHES_BY_DAY_14;
  const setUnprunedBytes =
    memory.grantSet.bytesAfterSignIn + 2 * REFRESHES_BY_DAY_14 * memory.grantSet.bytesPerMember;
  const perSignIn = (family: string) => {
    const usage = memory.signIns.families.find((each) => each.family === family);
    return usage === undefined ? 0 : usage.bytes / memory.signIns.count;
  };
  const grantBaseBytes = ['Grant:*', 'Session:*', 'uid:Session:*', 'upstream-tokens:*']
    .map(perSignIn)
    .reduce((sum, bytes) => sum + bytes, 0);
  const steadyGrantBytes =
    grantBaseBytes + steady.liveRefreshTokenBytes + steady.liveAccessTokenBytes + steady.setBytes;
  return [
    `# Scale figures (${results.mode})`,
    '',
    `${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, redis-server ${results.redisVersion} (its own, no persistence); ` +
      `load average ${machine.loadAverageAtStart.map((load) => load.toFixed(2)).join(' / ')} at the start; commit ${results.commit ?? '?'}; ` +
      `${results.durationSeconds.toFixed(0)} s.`,
    '',
    '## Redis memory',
    '',
    '| step | count | used_memory added | per item |',
    '| --- | --- | --- | --- |',
    stepRow("client registrations (`POST /reg`, the SDK's metadata)", memory.registrations),
    stepRow('sign-ins (SDK: discovery, registration, login, token)', memory.signIns),
    stepRow(
      `refreshes (${memory.refreshes.grants} grants × ${memory.refreshes.refreshesPerGrant})`,
      memory.refreshes,
    ),
    '',
    familyTable('Per sign-in, by key family (MEMORY USAGE)', memory.signIns),
    familyTable('Per refresh, by key family', memory.refreshes),
    `Grant set \`grant:<id>\`: ${fmt(memory.grantSet.membersAfterSignIn)} members / ${fmt(memory.grantSet.bytesAfterSignIn)} B after the sign-in, ` +
      `${fmt(memory.grantSet.membersAfterRefreshes)} / ${fmt(memory.grantSet.bytesAfterRefreshes)} B after the refreshes: ` +
      `${fmt(memory.grantSet.bytesPerMember)} B per member. Unpruned, refreshed hourly for 14 days, it would list ${fmt(setUnprunedMembers)} members, ` +
      `about ${fmt(setUnprunedBytes)} B.`,
    '',
    `## One grant at steady state (scaled time: 1 s stands for 1 h)`,
    '',
    `${steady.grants} grants, each refreshed once a second ${steady.refreshesPerGrant} times, with 1-second access tokens and a ` +
      `${steady.windowSteps}-second reuse-detection window (hourly refreshes, 1-hour access tokens, a ${steady.windowSteps}-hour window). ` +
      'Then every member of each grant set was read back. Means per grant:',
    '',
    '| what | count | MEMORY USAGE |',
    '| --- | --- | --- |',
    `| refresh tokens alive (current + rotated within the window) | ${fmt(steady.liveRefreshTokens)} | ${fmt(steady.liveRefreshTokenBytes)} B |`,
    `| access tokens alive | ${fmt(steady.liveAccessTokens)} | ${fmt(steady.liveAccessTokenBytes)} B |`,
    `| \`grant:<id>\` set (members; largest ${fmt(steady.largestSetMembers)}; ${fmt(steady.membersIssued)} issued) | ${fmt(steady.setMembers)} | ${fmt(steady.setBytes)} B |`,
    `| grant, session, uid index, sealed IdP tokens (per sign-in above) | 4 | ${fmt(grantBaseBytes)} B |`,
    `| **one grant, any day after the window (day 14 included)** | | **${fmt(steadyGrantBytes)} B** |`,
    '',
    '## Redis commands',
    '',
    '| what | per | reads | writes | proxy CPU µs | commands (count ÷ units; `lua:` inside a script) |',
    '| --- | --- | --- | --- | --- | --- |',
    opsRow('idle instance', ops.idle),
    opsRow('tool call, warm cache (one token)', ops.warm),
    opsRow('tool call, cold cache (fresh proxy, each token once)', ops.cold),
    opsRow('sign-in', ops.signIn),
    opsRow('refresh', ops.refresh),
    '',
    `One instance holds ${fmt(ops.connectionsPerInstance)} Redis connections (connected_clients with one proxy running).`,
    '',
    '## Token check with a cold cache',
    '',
    `${fmt(tokenCheck.grantsInStore)} grants in the store (seeded in ${tokenCheck.seedSeconds.toFixed(1)} s, ` +
      `${fmt(tokenCheck.seededBytesPerGrant)} B used_memory per seeded grant + access token + sealed IdP tokens); ` +
      `${fmt(tokenCheck.checksPerRound)} checks per round at concurrency ${tokenCheck.concurrency}.`,
    '',
    '| round | load | check | p50 ms | p90 ms | p99 ms | max ms | req/s | proxy CPU µs/req | Redis CPU µs/req |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    percentileRow('–', NaN, 'in-process, cold, before seeding', tokenCheck.inProcessColdSmallStore),
    ...tokenCheck.rounds.flatMap((round, index) => [
      percentileRow(
        String(index + 1),
        round.loadAverage,
        'in-process `verifyAccessToken`, cold',
        round.inProcessCold,
      ),
      percentileRow(String(index + 1), round.loadAverage, 'HTTP tool call, cold (first use)', round.httpCold),
      percentileRow(String(index + 1), round.loadAverage, 'HTTP tool call, warm', round.httpWarm),
    ]),
    '',
    `redis-benchmark on the same server (50 clients, no pipelining): GET ${fmt(results.redisCeiling.getPerSecond)}/s, ` +
      `SET ${fmt(results.redisCeiling.setPerSecond)}/s.`,
    '',
    '## Sizing: one million users, two clients each, 1,000 tool calls a day',
    '',
    '| quantity | value | unit | how |',
    '| --- | --- | --- | --- |',
    ...results.sizing.map((each) => `| ${each.quantity} | ${fmt(each.value)} | ${each.unit} | ${each.how} |`),
    '',
  ].join('\n');
}

function stepRow(label: string, step: MemoryStep): string {
  return `| ${label} | ${step.count} | ${fmt(step.usedMemoryDeltaBytes)} B | ${fmt(step.bytesEach)} B |`;
}

function familyTable(title: string, step: MemoryStep): string {
  const ttl = (seconds: number) =>
    seconds < 0 ? 'none' : seconds >= 3600 ? `${(seconds / 3600).toFixed(1)} h` : `${seconds} s`;
  return [
    `${title}:`,
    '',
    '| family | keys each | bytes each | TTL left (min–max) |',
    '| --- | --- | --- | --- |',
    ...step.families.map(
      (family) =>
        `| \`${family.family}\` | ${fmt(family.keys / step.count)} | ${fmt(family.bytes / step.count)} | ${ttl(family.minTtlSeconds)} – ${ttl(family.maxTtlSeconds)} |`,
    ),
    '',
  ].join('\n');
}

function opsRow(label: string, step: OpsStep): string {
  const commands = step.commands
    .map(
      (command) => `${command.inScript ? 'lua: ' : ''}${command.command} ${fmt(command.count / step.units)}`,
    )
    .join('; ');
  return `| ${label} | ${step.unit} | ${fmt(step.readsEach)} | ${fmt(step.writesEach)} | ${fmt(step.proxyCpuMicrosecondsEach)} | ${commands} |`;
}

function percentileRow(
  round: string,
  load: number,
  label: string,
  figures: Percentiles & {
    requestsPerSecond?: number;
    proxyCpuMicroseconds?: number;
    redisCpuMicroseconds?: number;
  },
): string {
  const optional = (value: number | undefined) => (value === undefined ? '–' : fmt(value));
  return `| ${round} | ${Number.isNaN(load) ? '–' : load.toFixed(2)} | ${label} | ${figures.p50Ms.toFixed(2)} | ${figures.p90Ms.toFixed(2)} | ${figures.p99Ms.toFixed(2)} | ${figures.maxMs.toFixed(2)} | ${optional(figures.requestsPerSecond)} | ${optional(figures.proxyCpuMicroseconds)} | ${optional(figures.redisCpuMicroseconds)} |`;
}
