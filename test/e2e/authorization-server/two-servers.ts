/**
 * A proxy configured with two MCP servers, built as the servers file will
 * build it: the MCP_SERVER_* server from the environment (`default`, at
 * /mcp), and a `tickets` server at /tickets/mcp with scopes of its own. Only
 * the authorization server, the login bridge and the metadata routes are
 * exercised: the MCP endpoint of the second server is not routed yet.
 */
import assert from 'node:assert/strict';
import type { Config, McpServer } from '../../../src/config/config.ts';
import type { VerifiedAccess } from '../../../src/authorization-server/index.ts';
import { startTestProxy, type TestProxy, type TestProxyOptions } from '../../support/test-proxy.ts';

export const TICKETS_PATH = '/tickets/mcp';
export const TICKETS_SCOPES = ['openid', 'offline_access', 'tickets:read', 'tickets:write'];
/** `tickets:write` is granted only when asked for. */
export const TICKETS_DEFAULT_SCOPES = ['openid', 'offline_access', 'tickets:read'];

/** The first server's scopes: `notes:write` only through step-up (`echo` needs it). */
export const NOTES_ENV = {
  PROVIDER_SCOPE: 'openid offline_access notes:read notes:write',
  MCP_AUTH_PROXY_SCOPE_RULES: 'tools/call echo=notes:write',
};

export function withTicketsServer(config: Config): Config {
  const [first] = config.servers;
  const tickets: McpServer = {
    ...first,
    id: 'tickets',
    displayName: 'Tickets',
    path: TICKETS_PATH,
    resource: `${config.baseUrl}${TICKETS_PATH}`,
    scopes: TICKETS_SCOPES,
    defaultScopes: TICKETS_DEFAULT_SCOPES,
  };
  const scopes = [...new Set([...config.authorizationServer.scopes, ...TICKETS_SCOPES])];
  return {
    ...config,
    servers: [first, tickets],
    authorizationServer: { ...config.authorizationServer, scopes },
  };
}

export interface TwoServers {
  readonly proxy: TestProxy;
  /** The first server's resource (the default one): `<base>/mcp`. */
  readonly notes: string;
  /** The second server's resource: `<base>/tickets/mcp`. */
  readonly tickets: string;
}

export async function startTwoServerProxy(options: TestProxyOptions = {}): Promise<TwoServers> {
  const proxy = await startTestProxy({
    ...options,
    env: { ...NOTES_ENV, ...options.env },
    configure: withTicketsServer,
  });
  return { proxy, notes: proxy.mcpUrl, tickets: `${proxy.baseUrl}${TICKETS_PATH}` };
}

/** What the proxy's token verifier knows of an access token: its audience (`resource`) and scopes. */
export async function accessOf(proxy: TestProxy, accessToken: string | undefined): Promise<VerifiedAccess> {
  const access = await proxy.app.authorizationServer.verifyAccessToken(accessToken ?? '');
  assert.ok(access, 'the access token is valid');
  return access;
}

export const sorted = (scope: string | undefined): string[] =>
  (scope ?? '').split(' ').filter(Boolean).sort();
