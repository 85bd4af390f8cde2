/**
 * Starts everything the benchmark measures, on loopback: the MCP server, the
 * bare proxy in front of it, and our proxy (timed from spawn to ready, fresh
 * and on restart) with an access token from a real login.
 */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeIdp, type FakeIdp } from '../test/support/fake-idp.ts';
import type { BenchPlan, TargetName } from './bench-plan.ts';
import { startReportingChild, type BenchChild } from './child-process.ts';
import { logIn, startOurProxy, type OurProxy } from './our-proxy.ts';
import { readMemory } from './proc-stats.ts';

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
  readonly targets: readonly Target[];
  readonly mcpServerPid: number;
  readonly ours: OurProxy;
  readonly bare: BenchChild;
  readonly startup: { firstStartMs: number; restartMs: number[] };
  readonly readyRssBytes: number;
  close(): Promise<void>;
}

export async function startTargets(plan: BenchPlan, workDir: string): Promise<StartedTargets> {
  const stops: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const idp = await startFakeIdp({ mode: 'oidc' });
    stops.push(() => idp.close());
    const mcp = await startReportingChild('mcp-echo-server', [here('./mcp-echo-server.ts')]);
    stops.push(() => mcp.child.stop());
    const mcpServerUrl = `http://127.0.0.1:${mcp.port}/mcp`;
    const bare = await startReportingChild('bare-proxy', [here('./bare-proxy.ts'), '--target', mcpServerUrl]);
    stops.push(() => bare.child.stop());

    const started = await startTimedProxy(plan, idp, mcpServerUrl, await mkdtemp(join(workDir, 'ours-')));
    stops.push(() => started.proxy.child.stop());
    const readyRssBytes = readMemory(started.proxy.child.pid).rssBytes;
    const ours = started.proxy;
    const token = await logIn(ours, 'bench');

    const targets: Target[] = [
      { name: 'direct', url: mcpServerUrl, proxyPid: undefined, accessToken: token },
      {
        name: 'bare',
        url: `http://127.0.0.1:${bare.port}/mcp`,
        proxyPid: bare.child.pid,
        accessToken: token,
      },
      { name: 'ours', url: ours.mcpUrl, proxyPid: ours.child.pid, accessToken: token },
    ];
    if (plan.measureLogCost) {
      const quiet = await startOurProxy({
        name: 'ours-warn',
        dir: await mkdtemp(join(workDir, 'ours-warn-')),
        idp,
        mcpServerUrl,
        logLevel: 'warn',
      });
      stops.push(() => quiet.child.stop());
      targets.push({
        name: 'ours-warn',
        url: quiet.mcpUrl,
        proxyPid: quiet.child.pid,
        accessToken: await logIn(quiet, 'bench'),
      });
    }
    return {
      targets,
      mcpServerPid: mcp.child.pid,
      ours,
      bare: bare.child,
      startup: started.startup,
      readyRssBytes,
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
  idp: FakeIdp,
  mcpServerUrl: string,
  dir: string,
): Promise<{ proxy: OurProxy; startup: { firstStartMs: number; restartMs: number[] } }> {
  const options = { name: 'ours', dir, idp, mcpServerUrl, logLevel: 'info' };
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
