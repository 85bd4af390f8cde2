import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startApp, type App } from '../../src/app/start-app.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { Config } from '../../src/config/config.ts';
import { createLogger, type Logger } from '../../src/shared/logger.ts';
import { startFakeIdp, type FakeIdp, type FakeIdpMode } from './fake-idp.ts';
import type { McpFixtureServer } from './mcp-fixture-server.ts';
import { freePort } from './free-port.ts';
import {
  prepareUpstream,
  type ServersFileContent,
  type SupervisedMcpOptions,
  type Upstream,
} from './test-proxy-upstream.ts';
import { uniqueRedisPrefix } from './redis.ts';
import type { Supervisor } from '../../src/supervisor/index.ts';
import type { Clock } from '../../src/shared/clock.ts';
import type { Observe } from '../../src/observability/index.ts';

export {
  startIdpCheckedFixture,
  supervisedFixtureServer,
  supervisedMcpEnv,
  type ServersFileContent,
  type SupervisedMcpOptions,
} from './test-proxy-upstream.ts';

/**
 * Where the proxy keeps its state: SQLite, one Redis by URL, or Redis named by other variables
 * (`env`: MCP_AUTH_PROXY_REDIS_SENTINELS and _SENTINEL_MASTER, or _CLUSTER_NODES).
 */
export type TestStore =
  | { kind: 'sqlite'; dir?: string }
  | { kind: 'redis'; url: string; prefix?: string }
  | { kind: 'redis'; env: Readonly<Record<string, string>>; prefix?: string };

export interface TestProxyOptions {
  store?: TestStore;
  idp?: FakeIdp;
  idpMode?: FakeIdpMode;
  mcp?: McpFixtureServer;
  /** Extra or overriding environment variables. */
  env?: Record<string, string>;
  /** Reuse a port (restart tests). */
  port?: number;
  /** The proxy's clock (store TTLs, token stamps), so tests can move time instead of sleeping. */
  clock?: Clock;
  /** Observers of the proxy's events (src/observability), e.g. a recorder. */
  observers?: readonly Observe[];
  /** Changes the Config loadConfig built from the environment (e.g. several MCP servers). */
  configure?: (config: Config) => Config;
  /**
   * Replaces the servers the environment configured (the MCP_SERVER_* one, `servers[0]`), e.g. to
   * put several MCP servers behind one proxy; the rest of the configuration stays as loaded.
   */
  servers?: (loaded: Config['servers'], config: Config) => Config['servers'];
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

export interface SupervisedTestProxy extends Omit<TestProxy, 'mcp'> {
  /** No fixture runs in this process. */
  readonly mcp: undefined;
  /** The proxy's supervisor of the MCP server process. */
  readonly supervisor: Supervisor;
  /** Where the supervised MCP server listens (MCP_SERVER_URL). */
  readonly mcpServerUrl: string;
}

/** A proxy in front of the servers a servers file lists (MCP_AUTH_PROXY_SERVERS_FILE). */
export interface MultiServerTestProxy extends Omit<TestProxy, 'mcp'> {
  /** No fixture is owned by this helper: the test starts what the file points at. */
  readonly mcp: undefined;
  /** Where the servers file was written (removed on close). */
  readonly serversFilePath: string;
  /** The public MCP URL of the server with this id: BASE_URL + its path. */
  urlOf(id: string): string;
}

type StartOptions = TestProxyOptions & {
  supervisedMcp?: SupervisedMcpOptions;
  serversFile?: ServersFileContent;
};
type StartedProxy = TestProxy | SupervisedTestProxy | MultiServerTestProxy;

/**
 * Starts the real proxy in this process, from environment variables through
 * loadConfig exactly as `npm start` does, in front of the test IdP and an SDK
 * MCP server that accepts only the IdP's tokens. With `supervisedMcp`, no
 * fixture runs in this process: the proxy spawns and supervises one itself.
 * With `serversFile`, the proxy reads that file (MCP_AUTH_PROXY_SERVERS_FILE)
 * instead of MCP_SERVER_*, and fronts what it lists.
 * With `env.BASE_URL`, the instance shares that public address (a second
 * instance of one load-balanced deployment) but listens on its own port.
 */
export async function startTestProxy(
  options: TestProxyOptions & { supervisedMcp: SupervisedMcpOptions },
): Promise<SupervisedTestProxy>;
export async function startTestProxy(
  options: TestProxyOptions & { serversFile: ServersFileContent },
): Promise<MultiServerTestProxy>;
export async function startTestProxy(options?: TestProxyOptions): Promise<TestProxy>;
export async function startTestProxy(options: StartOptions = {}): Promise<StartedProxy> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startTestProxyOnce(options);
    } catch (error) {
      // freePort() can hand out a port another suite takes before this one listens on it.
      const taken = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!taken || options.port !== undefined || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

const PORT_ATTEMPTS = 3;

async function startTestProxyOnce(options: StartOptions): Promise<StartedProxy> {
  const port = options.port ?? (await freePort());
  // Instances of one load-balanced deployment share BASE_URL (the issuer) but listen on their own ports.
  const baseUrl = options.env?.['BASE_URL'] ?? `http://127.0.0.1:${port}`;
  const ownsIdp = options.idp === undefined;
  const idp = options.idp ?? (await startFakeIdp({ mode: options.idpMode ?? 'oidc' }));
  const callback = `${baseUrl}/interaction/identity/callback`;
  if (!idp.redirectUris.includes(callback)) idp.redirectUris.push(callback);
  const upstream = await prepareUpstream(options, idp);
  const storage = await prepareStore(options.store ?? { kind: 'sqlite' });
  const env: Record<string, string> = {
    BASE_URL: baseUrl,
    PORT: String(port),
    LOCAL_INSECURE: 'true',
    ...upstream.env,
    IDENTITY_SERVER_URL: idp.issuer,
    IDENTITY_CLIENT_ID: idp.clientId,
    IDENTITY_CLIENT_SECRET: idp.clientSecret,
    IDENTITY_SCOPE: idp.mode === 'oidc' ? 'openid profile email' : 'global',
    LOG_LEVEL: 'debug',
    MAX_REQUESTS: '1000',
    // Tracing is on by default and would export to localhost:4318; tests that want spans say so.
    OTEL_SDK_DISABLED: 'true',
    ...storage.env,
    ...options.env,
  };
  const releaseOwned = async () => {
    await upstream.release();
    if (ownsIdp) await idp.close();
    await storage.release();
  };
  const result = loadConfig(env, { cwd: process.cwd() });
  if (!result.ok) {
    await releaseOwned();
    throw new Error(`test configuration is invalid: ${JSON.stringify(result.problems)}`);
  }

  const loaded = options.configure?.(result.config) ?? result.config;
  const config =
    options.servers === undefined ? loaded : { ...loaded, servers: options.servers(loaded.servers, loaded) };
  const { logs, logger } = captureLogs();
  let app: App;
  try {
    app = await startApp(config, {
      logger,
      processEnv: {},
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.observers === undefined ? {} : { observers: options.observers }),
    });
  } catch (error) {
    await releaseOwned();
    throw error;
  }

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.close();
  };
  const common = {
    app,
    config,
    baseUrl,
    mcpUrl: `${baseUrl}${config.servers[0].path}`,
    idp,
    env,
    logs,
    stop,
    close: async () => {
      await stop();
      await releaseOwned();
    },
  };
  return shapeResult(common, upstream);
}

type CommonParts = Omit<TestProxy, 'mcp'>;

/** The fronted upstream decides which kind of test proxy the caller gets. */
function shapeResult(common: CommonParts, upstream: Upstream): StartedProxy {
  const { app, config, baseUrl } = common;
  if (upstream.serversFilePath !== undefined) {
    const urlOf = (id: string): string => {
      const server = config.servers.find((candidate) => candidate.id === id);
      if (server === undefined) throw new Error(`the servers file has no server ${id}`);
      return `${baseUrl}${server.path}`;
    };
    return { ...common, mcp: undefined, serversFilePath: upstream.serversFilePath, urlOf };
  }
  if (upstream.mcp !== undefined) return { ...common, mcp: upstream.mcp };
  if (app.supervisor === undefined || config.servers[0].transport !== 'http') {
    throw new Error('the supervised MCP server did not start');
  }
  return { ...common, mcp: undefined, supervisor: app.supervisor, mcpServerUrl: config.servers[0].url.href };
}

/** Where the proxy keeps its state, as variables, and a release for a directory made here. */
async function prepareStore(
  store: TestStore,
): Promise<{ env: Record<string, string>; release: () => Promise<void> }> {
  if (store.kind === 'sqlite') {
    const dir = store.dir ?? (await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-test-')));
    const release = async () => {
      if (store.dir === undefined) await rm(dir, { recursive: true, force: true });
    };
    return { env: { MCP_AUTH_PROXY_SQLITE_PATH: join(dir, 'store.sqlite') }, release };
  }
  return {
    env: {
      ...('url' in store ? { MCP_AUTH_PROXY_REDIS_URL: store.url } : store.env),
      MCP_AUTH_PROXY_REDIS_PREFIX: store.prefix ?? uniqueRedisPrefix('proxy'),
      MCP_AUTH_PROXY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64url'),
    },
    release: () => Promise.resolve(),
  };
}

/** A debug logger whose every line is kept, parsed, for the test to read. */
function captureLogs(): { logs: Array<Record<string, unknown>>; logger: Logger } {
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
  return { logs, logger };
}
