/**
 * Starts everything the benchmark measures, on loopback: the MCP server, the
 * bare proxy in front of it, and our proxy (timed from spawn to ready, fresh
 * and on restart) with an access token from a real login.
 */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeIdp } from '../test/support/fake-idp.ts';
import type { BenchPlan, TargetName } from './bench-plan.ts';
import { startReportingChild } from './child-process.ts';
import { logIn, startOurProxy, type OurProxy, type OurProxyOptions } from './our-proxy.ts';
import { writeBenchRules } from './policy-rules.ts';
import { readMemory } from './proc-stats.ts';
import { writeThreeServersFile } from './servers-file.ts';

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

export interface Target {
  readonly name: TargetName;
  /** Where POSTs go, e.g. http://127.0.0.1:N/mcp (SSE: the same plus /sse). */
  readonly url: string;
  /** The proxy process, whose CPU and memory are charged (undefined for direct). */
  readonly proxyPid: number | undefined;
  /** The access token this target's requests carry. */
  readonly accessToken: string;
}

export interface StartedTargets {
  /** Updated in place by restartProxies(). */
  readonly targets: Target[];
  readonly mcpServerPid: number;
  readonly startup: { firstStartMs: number; restartMs: number[] };
  /** Our proxy's VmRSS right after it first answered. */
  readonly readyRssBytes: number;
  target(name: TargetName): Target;
  /**
   * Restarts our proxy (same store and port, so the token stays valid) and the
   * bare proxy, so that the next measurement starts from fresh processes.
   */
  restartProxies(): Promise<void>;
  close(): Promise<void>;
}

export async function startTargets(
  plan: BenchPlan,
  workDir: string,
  mainPath: string | undefined,
): Promise<StartedTargets> {
  const stops: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const idp = await startFakeIdp({ mode: 'oidc' });
    stops.push(() => idp.close());
    // Tracing is on by default: our proxy exports its spans here, as to a collector beside it.
    const sink =
      plan.tracing === 'on' ? await startReportingChild('otlp-sink', [here('./otlp-sink.ts')]) : undefined;
    if (sink !== undefined) stops.push(() => sink.child.stop());
    const mcp = await startReportingChild('mcp-echo-server', [here('./mcp-echo-server.ts')]);
    stops.push(() => mcp.child.stop());
    const mcpServerUrl = `http://127.0.0.1:${mcp.port}/mcp`;
    const startBare = () =>
      startReportingChild('bare-proxy', [here('./bare-proxy.ts'), '--target', mcpServerUrl]);
    let bare = await startBare();
    stops.push(() => bare.child.stop());

    const oursOptions: OurProxyOptions = {
      name: 'ours',
      dir: await mkdtemp(join(workDir, 'ours-')),
      idp,
      mcpServerUrl,
      logLevel: 'info',
      tracing: sink === undefined ? 'off' : { otlpEndpoint: `http://127.0.0.1:${sink.port}` },
      mainPath,
    };
    const started = await startTimedProxy(plan, oursOptions);
    let ours = started.proxy;
    stops.push(() => ours.child.stop());
    const readyRssBytes = readMemory(ours.child.pid).rssBytes;
    const token = await logIn(ours, 'bench');

    const bareTarget = (): Target => ({
      name: 'bare',
      url: `http://127.0.0.1:${bare.port}/mcp`,
      proxyPid: bare.child.pid,
      accessToken: token,
    });
    const oursTarget = (): Target => ({
      name: 'ours',
      url: ours.mcpUrl,
      proxyPid: ours.child.pid,
      accessToken: token,
    });
    const targets: Target[] = [
      { name: 'direct', url: mcpServerUrl, proxyPid: undefined, accessToken: token },
      bareTarget(),
      oursTarget(),
    ];
    if (plan.measureLogCost)
      targets.push(
        await startTwinProxy({ ...oursOptions, name: 'ours-warn', logLevel: 'warn' }, workDir, stops),
      );
    if (plan.measureTracingCost)
      targets.push(
        await startTwinProxy({ ...oursOptions, name: 'ours-untraced', tracing: 'off' }, workDir, stops),
      );
    if (plan.measurePolicyCost)
      targets.push(
        await startTwinProxy(
          {
            ...oursOptions,
            name: 'ours-policy',
            env: { MCP_AUTH_PROXY_ACCESS_RULES_FILE: await writeBenchRules(workDir) },
          },
          workDir,
          stops,
        ),
      );
    if (plan.measureMetricsCost)
      targets.push(
        await startTwinProxy(
          // A listener nobody scrapes: the difference to `ours` is what recording costs.
          { ...oursOptions, name: 'ours-metrics', env: { MCP_AUTH_PROXY_METRICS_PORT: '0' } },
          workDir,
          stops,
        ),
      );
    if (plan.servers === 3) targets.push(await startThreeServerProxy(oursOptions, workDir, stops));

    const replace = (next: Target) => {
      targets[targets.findIndex((candidate) => candidate.name === next.name)] = next;
    };
    return {
      targets,
      mcpServerPid: mcp.child.pid,
      startup: started.startup,
      readyRssBytes,
      target(name) {
        const found = targets.find((candidate) => candidate.name === name);
        if (found === undefined) throw new Error(`no target ${name}`);
        return found;
      },
      async restartProxies() {
        await bare.child.stop();
        bare = await startBare();
        replace(bareTarget());
        await ours.child.stop();
        ours = await startOurProxy({ ...oursOptions, port: ours.port });
        started.startup.restartMs.push(ours.readyMs);
        replace(oursTarget());
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The first start creates the store and its keys; restarts find them (the usual case in production). */
async function startTimedProxy(
  plan: BenchPlan,
  options: OurProxyOptions,
): Promise<{ proxy: OurProxy; startup: { firstStartMs: number; restartMs: number[] } }> {
  let proxy = await startOurProxy(options);
  const firstStartMs = proxy.readyMs;
  const restartMs: number[] = [];
  for (let restart = 0; restart < plan.restarts; restart += 1) {
    await proxy.child.stop();
    proxy = await startOurProxy({ ...options, port: proxy.port });
    restartMs.push(proxy.readyMs);
  }
  return { proxy, startup: { firstStartMs, restartMs } };
}

/**
 * Our proxy with one setting changed: at LOG_LEVEL=warn (`ours-warn`, what the per-request
 * log line costs), with OTEL_SDK_DISABLED=true (`ours-untraced`, what tracing costs), with
 * metrics on (`ours-metrics`) or with access rules (`ours-policy`).
 */
async function startTwinProxy(
  options: OurProxyOptions & {
    name: 'ours-warn' | 'ours-untraced' | 'ours-metrics' | 'ours-policy' | 'ours-3-servers';
  },
  workDir: string,
  stops: (() => Promise<void>)[],
): Promise<Target> {
  const twin = await startOurProxy({ ...options, dir: await mkdtemp(join(workDir, `${options.name}-`)) });
  stops.push(() => twin.child.stop());
  return {
    name: options.name,
    url: twin.mcpUrl,
    proxyPid: twin.child.pid,
    accessToken: await logIn(twin, 'bench'),
  };
}

/**
 * Our proxy with three MCP servers behind it (servers-file.ts), each its own
 * echo server process, the load on the one at /mcp: what a request costs when
 * the proxy fronts more than one server (`--servers 3`).
 */
async function startThreeServerProxy(
  options: OurProxyOptions,
  workDir: string,
  stops: (() => Promise<void>)[],
): Promise<Target> {
  const idleUrls: string[] = [];
  for (const name of ['mcp-echo-server-tickets', 'mcp-echo-server-docs']) {
    const server = await startReportingChild(name, [here('./mcp-echo-server.ts')]);
    stops.push(() => server.child.stop());
    idleUrls.push(`http://127.0.0.1:${server.port}/mcp`);
  }
  const dir = await mkdtemp(join(workDir, 'ours-3-servers-'));
  const serversFile = await writeThreeServersFile(dir, options.mcpServerUrl, [idleUrls[0]!, idleUrls[1]!]);
  try {
    return await startTwinProxy({ ...options, name: 'ours-3-servers', serversFile }, workDir, stops);
  } catch (error) {
    throw new Error(
      `--servers 3 needs a proxy that reads MCP_AUTH_PROXY_SERVERS_FILE (issue 13); ${String(error)}`,
      { cause: error },
    );
  }
}
