/**
 * Redis commands per proxied MCP request, per sign-in and per refresh, counted
 * with MONITOR on the private Redis: every command the proxy sends, by name and
 * key family, reads apart from writes, and the commands its Lua scripts run
 * shown apart (they cost Redis time but no round trip). Also what an idle
 * instance sends by itself (the invalidation bus's keep-alive).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { countCommands, type CommandCount } from './scale-key-families.ts';
import type { ScaleEnvironment, SignedIn } from './scale-environment.ts';
import { readCpuMs } from './proc-stats.ts';
import { callTools } from './scale-tool-calls.ts';

export interface OpsStep {
  /** What was counted: requests, sign-ins, refreshes, or seconds of idling. */
  readonly units: number;
  readonly unit: string;
  readonly commands: readonly CommandCount[];
  /** Round trips (commands outside scripts) per unit, reads and writes. */
  readonly readsEach: number;
  readonly writesEach: number;
  /** The proxy process's CPU time (/proc) per unit. */
  readonly proxyCpuMicrosecondsEach: number;
  readonly wallMs: number;
}

export interface OpsFigures {
  /** Redis connections one proxy instance holds (connected_clients less the benchmark's own two). */
  readonly connectionsPerInstance: number;
  readonly idle: OpsStep;
  readonly warm: OpsStep;
  readonly cold: OpsStep;
  readonly signIn: OpsStep;
  readonly refresh: OpsStep;
}

export interface OpsPlan {
  readonly warmRequests: number;
  readonly coldTokens: number;
  readonly signIns: number;
  readonly refreshes: number;
  readonly idleSeconds: number;
  readonly concurrency: number;
}

/** Background commands, reported under `idle` and left out of the per-request counts. */
const BACKGROUND = new Set(['ping', 'subscribe']);

export async function measureOps(
  environment: ScaleEnvironment,
  signedIn: readonly SignedIn[],
  plan: OpsPlan,
  log: (line: string) => void,
): Promise<OpsFigures> {
  const { redis } = environment;
  const counted = async (
    unit: string,
    units: number,
    work: () => Promise<unknown>,
    keepBackground = false,
  ) => {
    const stop = await redis.record();
    const pid = environment.proxy().child.pid;
    const cpuBeforeMs = readCpuMs(pid);
    const startedMs = performance.now();
    await work();
    const wallMs = performance.now() - startedMs;
    const proxyCpuMicrosecondsEach = ((readCpuMs(pid) - cpuBeforeMs) * 1000) / units;
    const seen = (await stop()).filter((command) => keepBackground || !BACKGROUND.has(command.name));
    return { ...summarize(unit, units, countCommands(seen), wallMs), proxyCpuMicrosecondsEach };
  };
  const mcpUrl = () => environment.proxy().mcpUrl;
  const tokens = signedIn.map((client) => client.accessToken);
  const warmToken = tokens[0] ?? '';

  log(`ops: idle for ${plan.idleSeconds} s`);
  let connectionsPerInstance = NaN;
  const idle = await counted(
    'second',
    plan.idleSeconds,
    async () => {
      // Here only the proxy, the admin connection and the MONITOR connection are connected.
      connectionsPerInstance = (await redis.connectedClients()) - 2;
      await delay(plan.idleSeconds * 1000);
    },
    true,
  );

  await callTools(mcpUrl(), [warmToken], 1);
  log(`ops: ${plan.warmRequests} tool calls with one warm token`);
  const warmCalls = Array.from({ length: plan.warmRequests }, () => warmToken);
  const warm = await counted('request', plan.warmRequests, () =>
    expectAllOk(callTools(mcpUrl(), warmCalls, plan.concurrency)),
  );

  const coldTokens = tokens.slice(0, plan.coldTokens);
  await environment.restartProxy();
  log(`ops: ${coldTokens.length} tokens, each used once, on a fresh proxy`);
  const cold = await counted('request', coldTokens.length, () =>
    expectAllOk(callTools(mcpUrl(), coldTokens, plan.concurrency)),
  );

  log(`ops: ${plan.signIns} sign-ins and ${plan.refreshes} refreshes`);
  const newcomers: SignedIn[] = [];
  const signIn = await counted('sign-in', plan.signIns, async () => {
    for (let index = 0; index < plan.signIns; index += 1)
      newcomers.push(await environment.signIn(`ops-user-${index}`));
  });
  const refresh = await counted('refresh', plan.refreshes, async () => {
    for (let index = 0; index < plan.refreshes; index += 1) {
      const client = newcomers[index % newcomers.length];
      if (client !== undefined) await environment.refresh(client);
    }
  });

  return { connectionsPerInstance, idle, warm, cold, signIn, refresh };
}

function summarize(
  unit: string,
  units: number,
  commands: readonly CommandCount[],
  wallMs: number,
): Omit<OpsStep, 'proxyCpuMicrosecondsEach'> {
  const roundTrips = commands.filter((command) => !command.inScript);
  const total = (kind: 'read' | 'write') =>
    roundTrips.filter((command) => command.kind === kind).reduce((sum, command) => sum + command.count, 0);
  return {
    units,
    unit,
    commands,
    readsEach: total('read') / units,
    writesEach: total('write') / units,
    wallMs,
  };
}

async function expectAllOk(calls: ReturnType<typeof callTools>): Promise<void> {
  const result = await calls;
  if (result.failures > 0)
    throw new Error(`${result.failures} of ${result.latenciesMs.length} tool calls failed`);
}
