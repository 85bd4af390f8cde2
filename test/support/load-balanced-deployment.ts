/**
 * A scaled-out deployment of real processes, as operators run one: three proxy
 * instances (`node dist/main.js`) behind HAProxy (round-robin, no stickiness),
 * sharing BASE_URL (HAProxy's frontend), one encryption key and one Redis
 * Sentinel deployment (one primary, one replica, three sentinels), in front of
 * one fake IdP and one MCP server that every instance reaches. The MCP server
 * keeps its sessions and a bounded event store, so a stream cut with its
 * instance resumes through another one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { startFakeIdp, type FakeIdp } from './fake-idp.ts';
import { freePort } from './free-port.ts';
import { haproxyOrSkip, HAPROXY_SERVER_NAMES, startHaproxy, type Haproxy } from './haproxy.ts';
import { startMcpFixtureServer, type McpFixtureServer } from './mcp-fixture-server.ts';
import { spawnProxyProcess, type LogLine, type ProxyProcess } from './proxy-process.ts';
import { redisBinariesOrSkip } from './redis-processes.ts';
import { startRedisSentinel, type RedisSentinel } from './redis-sentinel.ts';
import { uniqueRedisPrefix } from './redis.ts';

export interface Instance {
  /** HAProxy's name for it (`proxy1` …), also the tag of its log lines. */
  readonly name: string;
  /** Its own address, bypassing HAProxy. */
  readonly url: string;
  /** The running process, or undefined while it is killed. */
  process: ProxyProcess | undefined;
  /** Every process that ran as this instance, in order (their log lines stay readable). */
  readonly runs: ProxyProcess[];
}

export interface LoadBalancedDeployment {
  /** HAProxy's frontend: BASE_URL of every instance. */
  readonly baseUrl: string;
  readonly mcpUrl: string;
  readonly idp: FakeIdp;
  readonly mcp: McpFixtureServer;
  readonly sentinel: RedisSentinel;
  readonly haproxy: Haproxy;
  readonly instances: readonly Instance[];
  /** SIGKILL, as a crash: no drain, no goodbye. */
  kill(instance: Instance): Promise<void>;
  /** Starts the instance again on its port and waits until HAProxy routes to it. */
  restart(instance: Instance): Promise<void>;
  stop(): Promise<void>;
}

/** Whether this machine can run the deployment (redis-server, HAProxy); CI=true requires both. */
export function loadBalancedDeploymentOrSkip(t: TestContext | undefined, what: string): boolean {
  if (t !== undefined && !redisBinariesOrSkip(t, what)) return false;
  return haproxyOrSkip(t, what);
}

/** `env` adds to or overrides the instances' shared environment (limits, lifetimes). */
export async function startLoadBalancedDeployment(
  env: Readonly<Record<string, string>> = {},
): Promise<LoadBalancedDeployment> {
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const sentinel = await startRedisSentinel();
    cleanups.push(() => sentinel.stop());
    const idp = await startFakeIdp({ mode: 'oidc' });
    cleanups.push(() => idp.close());
    const mcp = await startMcpFixtureServer({
      stateful: true,
      resumable: true,
      validateToken: (bearer) => {
        const user = idp.userForAccessToken(bearer);
        return user === undefined ? undefined : { user };
      },
    });
    cleanups.push(() => mcp.close());
    const cwd = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-lb-'));
    cleanups.push(() => rm(cwd, { recursive: true, force: true }));

    const frontendPort = await freePort();
    const baseUrl = `http://127.0.0.1:${frontendPort}`;
    idp.redirectUris.push(`${baseUrl}/interaction/identity/callback`);
    const shared: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      BASE_URL: baseUrl,
      // Plain HTTP on loopback; it also makes the instances ignore X-Forwarded-For (docs/deploy.md).
      LOCAL_INSECURE: 'true',
      IDENTITY_SERVER_URL: idp.issuer,
      IDENTITY_CLIENT_ID: idp.clientId,
      IDENTITY_CLIENT_SECRET: idp.clientSecret,
      IDENTITY_SCOPE: 'openid profile email',
      MCP_SERVER_URL: mcp.url,
      LOG_LEVEL: 'info',
      ...sentinel.env,
      MCP_AUTH_PROXY_REDIS_PREFIX: uniqueRedisPrefix('lb'),
      MCP_AUTH_PROXY_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64url'),
      ...env,
    };

    const instances: Instance[] = [];
    for (const name of HAPROXY_SERVER_NAMES) {
      instances.push({ name, url: `http://127.0.0.1:${await freePort()}`, process: undefined, runs: [] });
    }
    const launch = async (instance: Instance): Promise<void> => {
      const port = new URL(instance.url).port;
      const started = await spawnProxyProcess(
        { idp, env: { ...shared, PORT: port }, baseUrl, cwd, close: () => Promise.resolve() },
        'built',
      );
      instance.process = started;
      instance.runs.push(started);
      await started.waitForEvent('server.listening');
    };
    const kill = async (instance: Instance): Promise<void> => {
      const running = instance.process;
      instance.process = undefined;
      await running?.dispose();
    };
    cleanups.push(async () => {
      for (const instance of instances) await kill(instance);
    });
    await Promise.all(instances.map(launch));

    const haproxy = await startHaproxy(
      frontendPort,
      instances.map((instance) => new URL(instance.url).host),
    );
    cleanups.push(() => haproxy.stop());
    await haproxy.waitUntilUp(HAPROXY_SERVER_NAMES);

    return {
      baseUrl,
      mcpUrl: `${baseUrl}/mcp`,
      idp,
      mcp,
      sentinel,
      haproxy,
      instances,
      kill,
      async restart(instance) {
        await launch(instance);
        await haproxy.waitUntilUp([instance.name]);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Every instance's log lines, each with the instance that wrote it. */
export function linesByInstance(
  deployment: LoadBalancedDeployment,
): Array<{ readonly instance: string; readonly line: LogLine }> {
  return deployment.instances.flatMap((instance) =>
    instance.runs.flatMap((run) => run.lines.map((line) => ({ instance: instance.name, line }))),
  );
}
