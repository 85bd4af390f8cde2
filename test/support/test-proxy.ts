import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startApp, type App } from '../../src/app/start-app.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { Config } from '../../src/config/config.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { startFakeIdp, type FakeIdp, type FakeIdpMode } from './fake-idp.ts';
import { startMcpFixtureServer, type McpFixtureServer } from './mcp-fixture-server.ts';
import { freePort } from './free-port.ts';
import { uniqueRedisPrefix } from './redis.ts';

export type TestStore = { kind: 'sqlite'; dir?: string } | { kind: 'redis'; url: string; prefix?: string };

export interface TestProxyOptions {
  store?: TestStore;
  idp?: FakeIdp;
  idpMode?: FakeIdpMode;
  mcp?: McpFixtureServer;
  /** Extra or overriding environment variables. */
  env?: Record<string, string>;
  /** Reuse a port (restart tests). */
  port?: number;
}

export interface TestProxy {
  readonly app: App;
  readonly config: Config;
  readonly baseUrl: string;
  readonly mcpUrl: string;
  readonly idp: FakeIdp;
  readonly mcp: McpFixtureServer;
  readonly env: Record<string, string>;
  /** Every log line the proxy wrote, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  /** Stops the proxy only (the IdP, MCP server and store data stay, for restart tests). */
  stop(): Promise<void>;
  /** Stops everything this helper started and removes its temporary files. */
  close(): Promise<void>;
}

/**
 * Starts the real proxy in this process, from environment variables through
 * loadConfig exactly as `npm start` does, in front of the test IdP and an SDK
 * MCP server that accepts only the IdP's tokens.
 */
export async function startTestProxy(options: TestProxyOptions = {}): Promise<TestProxy> {
  const port = options.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const ownsIdp = options.idp === undefined;
  const idp = options.idp ?? (await startFakeIdp({ mode: options.idpMode ?? 'oidc' }));
  const callback = `${baseUrl}/interaction/identity/callback`;
  if (!idp.redirectUris.includes(callback)) idp.redirectUris.push(callback);
  const ownsMcp = options.mcp === undefined;
  const mcp =
    options.mcp ??
    (await startMcpFixtureServer({
      stateful: true,
      validateToken: (bearer) => {
        const user = idp.userForAccessToken(bearer);
        return user === undefined ? undefined : { user };
      },
    }));

  const store = options.store ?? { kind: 'sqlite' };
  const ownsDir = store.kind === 'sqlite' && store.dir === undefined;
  const dir = store.kind === 'sqlite' ? (store.dir ?? (await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-test-')))) : '';
  const env: Record<string, string> = {
    BASE_URL: baseUrl,
    PORT: String(port),
    LOCAL_INSECURE: 'true',
    MCP_SERVER_URL: mcp.url,
    IDENTITY_SERVER_URL: idp.issuer,
    IDENTITY_CLIENT_ID: idp.clientId,
    IDENTITY_CLIENT_SECRET: idp.clientSecret,
    IDENTITY_SCOPE: idp.mode === 'oidc' ? 'openid profile email' : 'global',
    LOG_LEVEL: 'debug',
    MAX_REQUESTS: '1000',
    ...(store.kind === 'sqlite'
      ? { MCP_AUTH_PROXY_SQLITE_PATH: join(dir, 'store.sqlite') }
      : {
          MCP_AUTH_PROXY_REDIS_URL: store.url,
          MCP_AUTH_PROXY_REDIS_PREFIX: store.prefix ?? uniqueRedisPrefix('proxy'),
          MCP_AUTH_PROXY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64url'),
        }),
    ...options.env,
  };
  const result = loadConfig(env, { cwd: process.cwd() });
  if (!result.ok) throw new Error(`test configuration is invalid: ${JSON.stringify(result.problems)}`);

  const logs: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const logger = createLogger({ level: 'debug', appName: 'test', environment: 'test', destination });
  const app = await startApp(result.config, { logger, processEnv: {} });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.close();
  };
  return {
    app,
    config: result.config,
    baseUrl,
    mcpUrl: `${baseUrl}${result.config.mcpServer.path}`,
    idp,
    mcp,
    env,
    logs,
    stop,
    close: async () => {
      await stop();
      if (ownsMcp) await mcp.close();
      if (ownsIdp) await idp.close();
      if (ownsDir) await rm(dir, { recursive: true, force: true });
    },
  };
}
