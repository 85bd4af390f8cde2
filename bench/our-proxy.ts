/**
 * Our proxy as production runs it: `node dist/main.js` (the build of
 * `npm run build`), configured only through its environment, with its log
 * lines going to a file as they would go to a log drain.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FakeIdp } from '../test/support/fake-idp.ts';
import { freePort } from '../test/support/free-port.ts';
import { authorizeWithSdk, TestOAuthClient } from '../test/support/sdk-oauth-client.ts';
import { UserAgent } from '../test/support/user-agent.ts';
import { startServiceChild, type BenchChild, type Launcher } from './child-process.ts';

/** The build `npm run build` makes; `--proxy-main` points the benchmark at another one. */
export const DEFAULT_MAIN_PATH = fileURLToPath(new URL('../dist/main.js', import.meta.url));
/** High enough that the per-grant limit never refuses a benchmark request; the limiter still runs. */
const UNLIMITED_REQUESTS = 1_000_000_000;

export interface OurProxyOptions {
  readonly name: string;
  /** Node.js options before the entry; by default those of the build's own `npm start`. */
  readonly nodeArgs?: readonly string[] | undefined;
  /** The entry to run (DEFAULT_MAIN_PATH unless comparing another build). */
  readonly mainPath?: string | undefined;
  /** The store and working folder (no .env there). */
  readonly dir: string;
  readonly idp: FakeIdp;
  /** The MCP server's endpoint, e.g. http://127.0.0.1:N/mcp (MCP_SERVER_URL, served at /mcp). */
  readonly mcpServerUrl: string;
  /**
   * A servers file (MCP_AUTH_PROXY_SERVERS_FILE) instead of MCP_SERVER_URL; one of its
   * servers must be mounted at /mcp (`mcpUrl`), where logIn signs in and the load goes.
   */
  readonly serversFile?: string | undefined;
  readonly logLevel: string;
  /** Where spans go (OTEL_EXPORTER_OTLP_ENDPOINT, the default exporter and sampler), or `off` (OTEL_SDK_DISABLED=true). */
  readonly tracing: { readonly otlpEndpoint: string } | 'off';
  /** Reuse a port (a restart keeps BASE_URL and so the tokens' audience). */
  readonly port?: number;
  /** Write a V8 CPU profile into this folder when the process exits. */
  readonly cpuProfileDir?: string | undefined;
  /** The profile's sampling interval (V8's default is 1000 µs). */
  readonly cpuProfileIntervalUs?: number | undefined;
  /** Runs Node under this command, e.g. valgrind (bench/count-instructions.ts); empty by default. */
  readonly launcher?: Launcher | undefined;
  /** More variables, overriding the defaults (e.g. MCP_AUTH_PROXY_REDIS_URL, MCP_AUTH_PROXY_METRICS_PORT). */
  readonly env?: Readonly<Record<string, string>> | undefined;
}

export interface OurProxy {
  readonly child: BenchChild;
  readonly port: number;
  readonly baseUrl: string;
  /** The proxied MCP endpoint. */
  readonly mcpUrl: string;
  /** From spawn() to the first 200 of the protected resource metadata. */
  readonly readyMs: number;
}

export async function startOurProxy(options: OurProxyOptions): Promise<OurProxy> {
  const port = options.port ?? (await freePort());
  const mainPath = options.mainPath ?? DEFAULT_MAIN_PATH;
  const baseUrl = `http://127.0.0.1:${port}`;
  const callback = `${baseUrl}/interaction/identity/callback`;
  if (!options.idp.redirectUris.includes(callback)) options.idp.redirectUris.push(callback);
  const profile =
    options.cpuProfileDir === undefined
      ? []
      : [
          '--cpu-prof',
          `--cpu-prof-dir=${options.cpuProfileDir}`,
          `--cpu-prof-interval=${options.cpuProfileIntervalUs ?? 1000}`,
        ];
  const { child, readyMs } = await startServiceChild(options.name, {
    args: [...profile, ...(options.nodeArgs ?? startScriptNodeOptions(mainPath)), mainPath],
    cwd: options.dir,
    logPath: join(options.dir, 'proxy.log'),
    readyUrl: `${baseUrl}/.well-known/oauth-protected-resource`,
    launcher: options.launcher,
    readyTimeoutMs: options.launcher === undefined || options.launcher.length === 0 ? undefined : 600_000,
    env: {
      BASE_URL: baseUrl,
      PORT: String(port),
      // Plain http on loopback; behind a TLS router production also trusts X-Forwarded-Proto.
      LOCAL_INSECURE: 'true',
      ...(options.serversFile === undefined
        ? { MCP_SERVER_URL: options.mcpServerUrl }
        : { MCP_AUTH_PROXY_SERVERS_FILE: options.serversFile }),
      IDENTITY_SERVER_URL: options.idp.issuer,
      IDENTITY_CLIENT_ID: options.idp.clientId,
      IDENTITY_CLIENT_SECRET: options.idp.clientSecret,
      IDENTITY_SCOPE: 'openid profile email',
      ...(options.env?.['MCP_AUTH_PROXY_REDIS_URL'] === undefined
        ? { MCP_AUTH_PROXY_SQLITE_PATH: join(options.dir, 'store.sqlite') }
        : {}),
      MCP_AUTH_PROXY_MCP_MAX_REQUESTS: String(UNLIMITED_REQUESTS),
      LOG_LEVEL: options.logLevel,
      ...(options.tracing === 'off'
        ? { OTEL_SDK_DISABLED: 'true' }
        : { OTEL_EXPORTER_OTLP_ENDPOINT: options.tracing.otlpEndpoint }),
      ...options.env,
    },
  });
  return { child, port, baseUrl, mcpUrl: `${baseUrl}/mcp`, readyMs };
}

/** An access token for the proxy, obtained as an MCP client gets one: the SDK's OAuth flow and a browser login. */
export async function logIn(proxy: OurProxy, username: string): Promise<string> {
  const client = new TestOAuthClient();
  const { tokens } = await authorizeWithSdk(proxy.mcpUrl, client, new UserAgent(), { username });
  return tokens.access_token;
}

/**
 * The Node.js options of the build's `npm start` (`node <options> dist/main.js`
 * in the package.json next to its dist/), so that the proxy runs exactly as
 * production starts it.
 */
export function startScriptNodeOptions(mainPath: string): string[] {
  const manifest = JSON.parse(readFileSync(join(dirname(mainPath), '..', 'package.json'), 'utf8')) as {
    scripts?: { start?: string };
  };
  const words = (manifest.scripts?.start ?? '').split(/\s+/).filter((word) => word !== '');
  if (words[0] !== 'node') return [];
  const entryAt = words.findIndex((word) => word.endsWith('.js'));
  return words.slice(1, entryAt === -1 ? undefined : entryAt);
}
