/**
 * Several MCP servers behind one proxy (issue 13): two HTTP servers and one
 * stdio server, each mounted at its own path, each its own protected resource
 * behind its own admission pipeline. The configuration is the one loaded from
 * the environment, with `servers` replaced by the three.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Config, McpServer } from '../../../src/config/config.ts';
import type { ObservedEvent } from '../../../src/observability/index.ts';
import { startMcpFixtureServer, type McpFixtureServer } from '../../support/mcp-fixture-server.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { initializeRaw, logIn, type LoggedIn } from '../proxy/proxy-steps.ts';
import { STDIO_FIXTURE_PATH } from '../stdio-bridge/stdio-steps.ts';

/** The first server as the environment configured it, then `docs` (HTTP) and `notes` (stdio) beside it. */
function threeServers(docsUrl: string) {
  return (loaded: Config['servers'], config: Config): Config['servers'] => {
    const [first] = loaded;
    const common = {
      displayName: undefined,
      scopes: first.scopes,
      defaultScopes: first.defaultScopes,
      scopePolicy: first.scopePolicy,
      rateLimit: first.rateLimit,
      userIdHeader: first.userIdHeader,
    };
    const docs: McpServer = {
      ...common,
      id: 'docs',
      path: '/docs/mcp',
      resource: `${config.baseUrl}/docs/mcp`,
      transport: 'http',
      url: new URL(docsUrl),
      run: undefined,
    };
    const notes: McpServer = {
      ...common,
      id: 'notes',
      path: '/notes/mcp',
      resource: `${config.baseUrl}/notes/mcp`,
      transport: 'stdio',
      stdio: {
        command: process.execPath,
        args: [STDIO_FIXTURE_PATH],
        cwd: undefined,
        env: {},
        tokenEnv: 'MCP_AUTH_TOKEN',
        userIdEnv: 'MCP_AUTH_USER_ID',
        idleTimeoutMs: 60_000,
        maxSessions: 5,
      },
    };
    return [first, docs, notes];
  };
}

const metadataUrlIn = (response: Response): string | undefined =>
  /resource_metadata="([^"]+)"/.exec(response.headers.get('www-authenticate') ?? '')?.[1];

describe('several MCP servers behind one proxy', () => {
  let docsFixture: McpFixtureServer;
  let proxy: TestProxy;
  let alice: LoggedIn;
  const events: ObservedEvent[] = [];
  const urlOf = (path: string) => `${proxy.baseUrl}${path}`;

  before(async () => {
    docsFixture = await startMcpFixtureServer({ stateful: true, validateToken: () => ({ user: 'anyone' }) });
    proxy = await startTestProxy({
      servers: threeServers(docsFixture.url),
      observers: [(event) => events.push(event)],
    });
    alice = await logIn(proxy.mcpUrl, 'alice');
  });
  after(async () => {
    await proxy.close();
    await docsFixture.close();
  });

  it("reaches each server at its own path, whose challenge names that server's metadata", async () => {
    for (const path of ['/mcp', '/docs/mcp', '/notes/mcp']) {
      const response = await fetch(urlOf(path), { method: 'POST', body: '{}' });
      assert.equal(response.status, 401, path);
      assert.equal(metadataUrlIn(response), `${proxy.baseUrl}/.well-known/oauth-protected-resource${path}`);
      await response.body?.cancel();
    }
    assert.equal((await fetch(urlOf('/docs/mcpx'), { method: 'POST' })).status, 404);
  });

  it('serves a token issued for the first server there, and refuses it at the others with 401 invalid_token', async () => {
    const token = alice.tokens.access_token;
    const accepted = await initializeRaw(proxy.mcpUrl, token);
    assert.equal(accepted.status, 200);
    await accepted.body?.cancel();
    for (const path of ['/docs/mcp', '/notes/mcp']) {
      const refused = await initializeRaw(urlOf(path), token);
      assert.equal(refused.status, 401, path);
      assert.match(refused.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
      assert.equal(metadataUrlIn(refused), `${proxy.baseUrl}/.well-known/oauth-protected-resource${path}`);
      await refused.body?.cancel();
    }
    assert.equal(docsFixture.seenAuthorizations.length, 0, 'nothing reached the docs server');
  });

  it('names the server in each mcp.request event', () => {
    const servers = new Set(events.flatMap((event) => (event.type === 'mcp.request' ? [event.server] : [])));
    assert.deepEqual([...servers].sort(), ['default', 'docs', 'notes']);
  });

  it('reports each server on /readyz, and the worst of them as mcpServer', async () => {
    const ready = await fetch(urlOf('/readyz'));
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), {
      status: 'ready',
      checks: {
        store: 'ok',
        mcpServer: 'ok',
        identityProvider: 'ok',
        servers: { default: 'ok', docs: 'ok', notes: 'ok' },
      },
    });
    await docsFixture.close();
    const notReady = await fetch(urlOf('/readyz'));
    assert.equal(notReady.status, 503);
    const body = (await notReady.json()) as { checks: Record<string, unknown>; failing: string[] };
    assert.equal(body.checks['mcpServer'], 'unreachable');
    assert.deepEqual(body.checks['servers'], { default: 'ok', docs: 'unreachable', notes: 'ok' });
    assert.deepEqual(body.failing, ['mcpServer', 'servers.docs']);
  });
});
