/**
 * What a test proxy fronts: the in-process MCP fixture server, one the proxy
 * supervises itself (MCP_SERVER_RUN_COMMAND), or the servers a servers file
 * lists (MCP_AUTH_PROXY_SERVERS_FILE). Each comes with the environment that
 * names it to the proxy and a release for what the test helper started.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FakeIdp } from './fake-idp.ts';
import { startMcpFixtureServer, type McpFixtureServer } from './mcp-fixture-server.ts';
import { freePort } from './free-port.ts';

/**
 * Instead of an in-process fixture, the proxy runs `mcp-fixture-server-main.ts` itself
 * (MCP_SERVER_RUN_COMMAND) on a free port. That server accepts any bearer token and its
 * `whoami` answers with the token it received.
 */
export interface SupervisedMcpOptions {
  /** MCP_FIXTURE_STATELESS=true: no sessions. */
  readonly stateless?: boolean;
  /** Reuse the MCP server's port (restart tests). */
  readonly port?: number;
}

/**
 * The content of a servers file (MCP_AUTH_PROXY_SERVERS_FILE), as the proxy reads it: a list of
 * servers, each with `id`, `path`, and `url` (optionally with `run`) or `stdio`. Written as JSON.
 */
export interface ServersFileContent {
  readonly servers: readonly Readonly<Record<string, unknown>>[];
  /** The proxy-wide access rules (docs/access-rules.md). */
  readonly signIn?: readonly Readonly<Record<string, unknown>>[];
  readonly identityClaims?: Readonly<Record<string, unknown>>;
}

export interface UpstreamChoice {
  readonly mcp?: McpFixtureServer | undefined;
  readonly supervisedMcp?: SupervisedMcpOptions | undefined;
  readonly serversFile?: ServersFileContent | undefined;
}

export interface Upstream {
  /** The variables that name the upstream(s) to the proxy. */
  readonly env: Record<string, string>;
  /** The in-process fixture, when the proxy fronts one (no servers file). */
  readonly mcp: McpFixtureServer | undefined;
  readonly serversFilePath: string | undefined;
  /** Stops and removes what was started or written here; a fixture the test passed in stays. */
  release(): Promise<void>;
}

const FIXTURE_MAIN_PATH = fileURLToPath(new URL('./mcp-fixture-server-main.ts', import.meta.url));
const nothingToRelease = (): Promise<void> => Promise.resolve();

/** The environment that makes the proxy run the fixture server as its supervised child. */
export function supervisedMcpEnv(port: number, options: SupervisedMcpOptions = {}): Record<string, string> {
  const server = supervisedFixtureServer(port, options);
  return {
    MCP_SERVER_URL: server.url,
    MCP_SERVER_RUN_COMMAND: server.run.command,
    MCP_SERVER_RUN_ARGS_JSON: JSON.stringify(server.run.args),
    MCP_SERVER_RUN_ENV_JSON: JSON.stringify(server.run.env),
  };
}

/** The same supervised fixture as a servers-file entry's `url` and `run` (add `id` and `path`). */
export function supervisedFixtureServer(
  port: number,
  options: SupervisedMcpOptions = {},
): { url: string; run: { command: string; args: string[]; env: Record<string, string> } } {
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    run: {
      command: process.execPath,
      args: [FIXTURE_MAIN_PATH],
      env: {
        PORT: String(port),
        MCP_FIXTURE_REQUIRE_BEARER: 'true',
        ...(options.stateless === true ? { MCP_FIXTURE_STATELESS: 'true' } : {}),
      },
    },
  };
}

/** An in-process fixture that accepts only the IdP's live access tokens; `whoami` names their user. */
export async function startIdpCheckedFixture(idp: FakeIdp): Promise<McpFixtureServer> {
  return await startMcpFixtureServer({
    stateful: true,
    validateToken: (bearer) => {
      const user = idp.userForAccessToken(bearer);
      return user === undefined ? undefined : { user };
    },
  });
}

/**
 * Decides what the proxy fronts, in this order: a servers file, a fixture the test started,
 * a supervised fixture, or a fixture started here.
 */
export async function prepareUpstream(choice: UpstreamChoice, idp: FakeIdp): Promise<Upstream> {
  if (choice.serversFile !== undefined) return await writeServersFile(choice.serversFile);
  if (choice.mcp !== undefined) {
    const env = { MCP_SERVER_URL: choice.mcp.url };
    return { env, mcp: choice.mcp, serversFilePath: undefined, release: nothingToRelease };
  }
  if (choice.supervisedMcp !== undefined) {
    const env = supervisedMcpEnv(choice.supervisedMcp.port ?? (await freePort()), choice.supervisedMcp);
    return { env, mcp: undefined, serversFilePath: undefined, release: nothingToRelease };
  }
  const mcp = await startIdpCheckedFixture(idp);
  return { env: { MCP_SERVER_URL: mcp.url }, mcp, serversFilePath: undefined, release: () => mcp.close() };
}

/** Relative paths in a servers file resolve against its directory: a fresh one per proxy. */
async function writeServersFile(content: ServersFileContent): Promise<Upstream> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-servers-'));
  const path = join(dir, 'servers.json');
  await writeFile(path, `${JSON.stringify(content, null, 2)}\n`);
  return {
    env: { MCP_AUTH_PROXY_SERVERS_FILE: path },
    mcp: undefined,
    serversFilePath: path,
    release: () => rm(dir, { recursive: true, force: true }),
  };
}
