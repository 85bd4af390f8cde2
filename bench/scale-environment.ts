/**
 * What the scale benchmark runs against, on loopback: its own redis-server,
 * the test identity provider, the SDK MCP echo server, and our proxy as
 * production starts it (`node dist/main.js`) on that Redis. Sign-ins go
 * through the SDK's OAuth client and the login pages, refreshes through the
 * token endpoint, as clients send them.
 */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeIdp, type FakeIdp } from '../test/support/fake-idp.ts';
import { postForm } from '../test/support/raw-oauth.ts';
import { authorizeWithSdk, TestOAuthClient } from '../test/support/sdk-oauth-client.ts';
import { UserAgent } from '../test/support/user-agent.ts';
import { startReportingChild, type BenchChild } from './child-process.ts';
import { startOurProxy, type OurProxy } from './our-proxy.ts';
import { startPrivateRedis, type PrivateRedis } from './scale-redis.ts';

/** A fixed key for the benchmark only, so that an in-process app can open what the proxy sealed. */
export const BENCH_ENCRYPTION_KEY = Buffer.alloc(32, 42).toString('base64url');
/** Registrations and sign-ins all come from 127.0.0.1: the per-address limit must not refuse them. */
const UNLIMITED_REQUESTS = 1_000_000_000;

/** One signed-in MCP client: what it holds after the SDK's flow. */
export interface SignedIn {
  readonly clientId: string;
  readonly accessToken: string;
  refreshToken: string;
}

export interface ScaleEnvironment {
  readonly redis: PrivateRedis;
  /** redis-benchmark on the empty server before anything else ran: what one Redis thread does here. */
  readonly redisCeiling: { getPerSecond: number; setPerSecond: number };
  readonly idp: FakeIdp;
  /** The proxy's environment (for an in-process app on the same store). */
  readonly proxyEnv: Readonly<Record<string, string>>;
  proxy(): OurProxy;
  /** A fresh proxy process on the same port and store: its caches are empty. `env` adds to its environment. */
  restartProxy(env?: Readonly<Record<string, string>>): Promise<void>;
  signIn(username: string): Promise<SignedIn>;
  /** A refresh-token grant, as the SDK sends it; updates `signedIn.refreshToken`. */
  refresh(signedIn: SignedIn): Promise<string>;
  /** Dynamic client registration (RFC 7591) with the metadata the SDK sends. */
  register(): Promise<string>;
  close(): Promise<void>;
}

export async function startScaleEnvironment(
  workDir: string,
  redisBenchmarkRequests: number,
): Promise<ScaleEnvironment> {
  const stops: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const redis = await startPrivateRedis();
    stops.push(() => redis.stop());
    const redisCeiling = await redis.benchmark(redisBenchmarkRequests);
    const idp = await startFakeIdp({ mode: 'oidc' });
    stops.push(() => idp.close());
    const mcp: { child: BenchChild; port: number } = await startReportingChild('mcp-echo-server', [
      fileURLToPath(new URL('./mcp-echo-server.ts', import.meta.url)),
    ]);
    stops.push(() => mcp.child.stop());
    const env = {
      MCP_AUTH_PROXY_REDIS_URL: redis.url,
      MCP_AUTH_PROXY_ENCRYPTION_KEY: BENCH_ENCRYPTION_KEY,
      MAX_REQUESTS: String(UNLIMITED_REQUESTS),
    };
    const options = {
      name: 'ours',
      dir: await mkdtemp(join(workDir, 'scale-')),
      idp,
      mcpServerUrl: `http://127.0.0.1:${mcp.port}/mcp`,
      logLevel: 'info',
      // The figures are the store's and the proxy's own: no spans to export.
      tracing: 'off' as const,
      env,
    };
    let proxy = await startOurProxy(options);
    stops.push(() => proxy.child.stop());
    const proxyEnv = {
      ...env,
      BASE_URL: proxy.baseUrl,
      MCP_SERVER_URL: options.mcpServerUrl,
      IDENTITY_SERVER_URL: idp.issuer,
      IDENTITY_CLIENT_ID: idp.clientId,
      IDENTITY_CLIENT_SECRET: idp.clientSecret,
      IDENTITY_SCOPE: 'openid profile email',
      LOCAL_INSECURE: 'true',
      PORT: '0',
    };
    return {
      redis,
      redisCeiling,
      idp,
      proxyEnv,
      proxy: () => proxy,
      async restartProxy(extraEnv = {}) {
        await proxy.child.stop();
        proxy = await startOurProxy({ ...options, env: { ...env, ...extraEnv }, port: proxy.port });
      },
      async signIn(username) {
        const client = new TestOAuthClient();
        const { tokens } = await authorizeWithSdk(proxy.mcpUrl, client, new UserAgent(), { username });
        const clientId = client.clientInformation()?.client_id;
        if (clientId === undefined || tokens.refresh_token === undefined)
          throw new Error('the sign-in gave no client id or no refresh token');
        return { clientId, accessToken: tokens.access_token, refreshToken: tokens.refresh_token };
      },
      async refresh(signedIn) {
        const answer = await postForm<{ access_token?: string; refresh_token?: string }>(
          `${proxy.baseUrl}/token`,
          { method: 'none', clientId: signedIn.clientId },
          { grant_type: 'refresh_token', refresh_token: signedIn.refreshToken, resource: proxy.mcpUrl },
        );
        const { access_token: accessToken, refresh_token: refreshToken } = answer.body;
        if (answer.status !== 200 || accessToken === undefined || refreshToken === undefined)
          throw new Error(`refresh failed: ${answer.status} ${JSON.stringify(answer.body)}`);
        signedIn.refreshToken = refreshToken;
        return accessToken;
      },
      async register() {
        const metadata = new TestOAuthClient().clientMetadata;
        const response = await fetch(`${proxy.baseUrl}/reg`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(metadata),
        });
        const body = (await response.json()) as { client_id?: string };
        if (response.status !== 201 || body.client_id === undefined)
          throw new Error(`registration failed: ${response.status} ${JSON.stringify(body)}`);
        return body.client_id;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Runs `task` for 0…count-1, `concurrency` at a time, and returns the results in order. */
export async function inParallel<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < count; index = next++) results[index] = await task(index);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
