/**
 * A soak of the load-balanced deployment: N SDK clients sign in, then call
 * tools for a while; meanwhile the Redis primary is killed (Sentinel elects the
 * replica) and later one proxy instance is SIGKILLed and started again. At the
 * end every client refreshes its grant and calls once more. The same run is the
 * short CI test (test/e2e/scale-out/) and `npm run soak` (bench/soak.ts).
 */
import type { OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { linesByInstance, type LoadBalancedDeployment } from '../load-balanced-deployment.ts';
import { SoakClient } from './soak-client.ts';
import { signInHops, type SignInHops } from './sign-in-hops.ts';
import { WireRecorder, type WireCounts } from './wire-recorder.ts';

export interface SoakPlan {
  readonly clients: number;
  readonly durationMs: number;
  /** Pause after each successful call, per client. */
  readonly thinkMs: number;
  readonly signInConcurrency: number;
  /** When (after the calls start) the Redis primary is SIGKILLed; undefined: never. */
  readonly killPrimaryAtMs: number | undefined;
  /** When an instance is SIGKILLed; undefined: never. */
  readonly killInstanceAtMs: number | undefined;
  /** How long the killed instance stays down before it is started again; undefined: it stays down. */
  readonly restartInstanceAfterMs: number | undefined;
}

export interface FailoverFigures {
  /** From the kill of the primary until every sentinel names the replica and it answers as primary. */
  readonly electionMs: number;
  /** Per client, from the election to the end of its first successful call started after it: the largest. */
  readonly maxRecoveryMs: number;
  /** Clients with a failed call between the kill and the election (the others rode on caches). */
  readonly clientsThatFailed: number;
  /** The largest recovery among those clients. */
  readonly maxRecoveryOfFailedMs: number;
  /** Clients that made no successful call after the election before the end. */
  readonly clientsNotRecovered: number;
  /** From the first to the last 503 seen after the kill (0 when none). */
  readonly unavailableWindowMs: number;
}

export interface InstanceKillFigures {
  readonly instance: string;
  /** Calls that failed from the kill until 5 s after the instance was back (or after the kill), by kind. */
  readonly failures: ReadonlyMap<string, number>;
  /** From the kill until HAProxy routed to the restarted instance again. */
  readonly downMs: number | undefined;
}

export interface SoakReport {
  readonly plan: SoakPlan;
  readonly signInMs: number;
  readonly signedIn: number;
  readonly callsOk: number;
  readonly callsFailed: number;
  readonly failures: ReadonlyMap<string, number>;
  readonly wire: WireCounts;
  readonly failover: FailoverFigures | undefined;
  readonly instanceKill: InstanceKillFigures | undefined;
  /** invalid_grant answers seen, plus final refreshes that did not succeed. */
  readonly lostGrants: number;
  readonly relogins: number;
  /** Clients whose final refresh and final call both succeeded. */
  readonly workingAtEnd: number;
  /** Requests without any answer outside the failover and the instance kill (and 5 s after each). */
  readonly noAnswerElsewhere: number;
  readonly hops: SignInHops;
  /** The instances' log lines at level error (pino 50) or above, and answers with status 500, by event. */
  readonly errorsLogged: ReadonlyMap<string, number>;
}

/** How long after an event its effects are counted as its own. */
const AFTERMATH_MS = 5_000;

export async function runSoak(
  deployment: LoadBalancedDeployment,
  plan: SoakPlan,
  progress: (line: string) => void = () => undefined,
): Promise<SoakReport> {
  const recorder = new WireRecorder(deployment.baseUrl);
  const clients = Array.from({ length: plan.clients }, (_, index) => {
    return new SoakClient(index, deployment.mcpUrl, recorder);
  });

  const signInStartedMs = Date.now();
  await inBatches(clients, plan.signInConcurrency, (client) => client.signIn());
  const signInMs = Date.now() - signInStartedMs;
  progress(`${clients.length} clients signed in in ${signInMs} ms`);

  const stop = new AbortController();
  const startedAtMs = Date.now();
  const running = clients.map((client) => client.run(stop.signal, plan.thinkMs));
  const failover = plan.killPrimaryAtMs === undefined ? undefined : killPrimaryAt(plan.killPrimaryAtMs);
  const instanceKill =
    plan.killInstanceAtMs === undefined ? undefined : killInstanceAt(plan.killInstanceAtMs);
  await sleepUntil(startedAtMs + plan.durationMs);
  stop.abort();
  await Promise.all(running);
  const failoverTimes = await failover;
  const killed = await instanceKill;
  progress('calls stopped; final refresh and call of every client');

  let workingAtEnd = 0;
  let finalRefreshFailures = 0;
  await inBatches(clients, plan.signInConcurrency, async (client) => {
    const refreshed = await refresh(deployment.baseUrl, client, recorder);
    if (!refreshed) finalRefreshFailures += 1;
    if (refreshed && (await client.callOnce())) workingAtEnd += 1;
    await client.close();
  });

  const attempts = clients.flatMap((client) => client.attempts);
  const failures = new Map<string, number>();
  for (const client of clients) {
    for (const [kind, count] of client.failures) failures.set(kind, (failures.get(kind) ?? 0) + count);
  }
  const wire = recorder.counts();
  return {
    plan,
    signInMs,
    signedIn: clients.length,
    callsOk: attempts.filter((attempt) => attempt.ok).length,
    callsFailed: attempts.filter((attempt) => !attempt.ok).length,
    failures,
    wire,
    failover: failoverTimes === undefined ? undefined : failoverFigures(clients, failoverTimes, recorder),
    instanceKill: killed === undefined ? undefined : instanceKillFigures(clients, killed),
    noAnswerElsewhere: recorder.noAnswerAtMs.filter(
      (atMs) =>
        !within(atMs, failoverTimes?.killedAtMs, failoverTimes?.electedAtMs) &&
        !within(atMs, killed?.killedAtMs, killed?.backAtMs ?? killed?.killedAtMs),
    ).length,
    lostGrants: wire.invalidGrants + finalRefreshFailures,
    relogins: clients.reduce((sum, client) => sum + client.relogins, 0),
    workingAtEnd,
    errorsLogged: errorsLogged(deployment),
    hops: signInHops(
      deployment,
      clients.map((client) => client.signInTag),
    ),
  };

  async function killPrimaryAt(atMs: number): Promise<{ killedAtMs: number; electedAtMs: number }> {
    await sleepUntil(startedAtMs + atMs);
    const killedAtMs = Date.now();
    const former = await deployment.sentinel.killPrimary();
    progress(`killed the Redis primary (port ${former})`);
    const elected = await deployment.sentinel.waitForNewPrimary(former);
    const electedAtMs = Date.now();
    progress(`sentinels elected port ${elected} after ${electedAtMs - killedAtMs} ms`);
    return { killedAtMs, electedAtMs };
  }

  async function killInstanceAt(atMs: number): Promise<InstanceKill> {
    await sleepUntil(startedAtMs + atMs);
    const victim = deployment.instances[1];
    if (victim === undefined) throw new Error('no second instance');
    const killedAtMs = Date.now();
    await deployment.kill(victim);
    progress(`SIGKILLed ${victim.name}`);
    if (plan.restartInstanceAfterMs === undefined)
      return { name: victim.name, killedAtMs, backAtMs: undefined };
    await sleepUntil(killedAtMs + plan.restartInstanceAfterMs);
    await deployment.restart(victim);
    progress(`${victim.name} is back in HAProxy's rotation`);
    return { name: victim.name, killedAtMs, backAtMs: Date.now() };
  }
}

interface InstanceKill {
  readonly name: string;
  readonly killedAtMs: number;
  /** When HAProxy routed to it again; undefined when it was not restarted. */
  readonly backAtMs: number | undefined;
}

/** From `fromMs` to `untilMs` and its aftermath; false when the event did not happen. */
const within = (atMs: number, fromMs: number | undefined, untilMs: number | undefined): boolean =>
  fromMs !== undefined && untilMs !== undefined && atMs >= fromMs && atMs <= untilMs + AFTERMATH_MS;

function failoverFigures(
  clients: readonly SoakClient[],
  { killedAtMs, electedAtMs }: { killedAtMs: number; electedAtMs: number },
  recorder: WireRecorder,
): FailoverFigures {
  let maxRecoveryMs = 0;
  let maxRecoveryOfFailedMs = 0;
  let clientsThatFailed = 0;
  let clientsNotRecovered = 0;
  for (const client of clients) {
    const failed = client.attempts.some(
      (attempt) => !attempt.ok && attempt.endedAtMs >= killedAtMs && attempt.startedAtMs <= electedAtMs,
    );
    if (failed) clientsThatFailed += 1;
    const first = client.attempts.find((attempt) => attempt.ok && attempt.startedAtMs >= electedAtMs);
    if (first === undefined) {
      clientsNotRecovered += 1;
      continue;
    }
    const recoveryMs = first.endedAtMs - electedAtMs;
    maxRecoveryMs = Math.max(maxRecoveryMs, recoveryMs);
    if (failed) maxRecoveryOfFailedMs = Math.max(maxRecoveryOfFailedMs, recoveryMs);
  }
  const unavailable = recorder.unavailableAtMs.filter((atMs) => atMs >= killedAtMs);
  return {
    electionMs: electedAtMs - killedAtMs,
    maxRecoveryMs,
    clientsThatFailed,
    maxRecoveryOfFailedMs,
    clientsNotRecovered,
    unavailableWindowMs: unavailable.length === 0 ? 0 : Math.max(...unavailable) - Math.min(...unavailable),
  };
}

function instanceKillFigures(
  clients: readonly SoakClient[],
  { name, killedAtMs, backAtMs }: InstanceKill,
): InstanceKillFigures {
  const failures = new Map<string, number>();
  for (const attempt of clients.flatMap((client) => client.attempts)) {
    if (attempt.ok || !within(attempt.endedAtMs, killedAtMs, backAtMs ?? killedAtMs)) continue;
    const kind = attempt.failure ?? 'other';
    failures.set(kind, (failures.get(kind) ?? 0) + 1);
  }
  return { instance: name, failures, downMs: backAtMs === undefined ? undefined : backAtMs - killedAtMs };
}

/** pino writes `level` as a number: 50 is error, 60 fatal. */
const PINO_ERROR_LEVEL = 50;

function errorsLogged(deployment: LoadBalancedDeployment): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { line } of linesByInstance(deployment)) {
    const isError = typeof line['level'] === 'number' && line['level'] >= PINO_ERROR_LEVEL;
    if (!isError && line['status'] !== 500) continue;
    const key = `${String(line['event'])}${line['status'] === 500 ? ' (500)' : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** A refresh_token grant through the load balancer; true on 200 (the new tokens are kept). */
async function refresh(baseUrl: string, client: SoakClient, recorder: WireRecorder): Promise<boolean> {
  const response = await recorder.fetch()(`${baseUrl}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: client.refreshToken ?? '',
      client_id: client.clientId ?? '',
    }).toString(),
    signal: AbortSignal.timeout(15_000),
  });
  if (response.status !== 200) return false;
  client.keepTokens((await response.json()) as OAuthTokens);
  return true;
}

async function inBatches<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      if (item !== undefined) await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

async function sleepUntil(atMs: number): Promise<void> {
  const waitMs = atMs - Date.now();
  if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
}
