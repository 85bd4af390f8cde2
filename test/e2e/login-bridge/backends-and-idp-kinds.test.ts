/**
 * The whole login bridge with the official MCP SDK client, on each store
 * backend and with each kind of IdP: discovery, registration, confirmation,
 * upstream login, code exchange, then a tool call that proves the MCP server
 * saw the user's IdP token and never the token the proxy issued.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startFakeIdp } from '../../support/fake-idp.ts';
import { browse, cleanupStack, expectStop } from '../../support/login-bridge-steps.ts';
import { redisUrlOrSkip, uniqueRedisPrefix } from '../../support/redis.ts';
import { deleteRedisPrefix } from '../../support/redis-cleanup.ts';
import { authorizeWithSdk, TestOAuthClient } from '../../support/sdk-oauth-client.ts';
import { startTestProxy, type TestProxy, type TestProxyOptions } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';

/** Logs `username` in with the SDK, calls `whoami` through the proxy, and checks what the MCP server saw. */
async function loginAndCallWhoami(proxy: TestProxy, username: string): Promise<void> {
  const client = new TestOAuthClient();
  const result = await authorizeWithSdk(proxy.mcpUrl, client, new UserAgent(), { username });
  assert.equal(result.confirmationShown, true, 'a new client is confirmed before the upstream login');
  assert.equal(result.callback.searchParams.get('iss'), proxy.baseUrl);
  const proxyAccessToken = result.tokens.access_token;
  const proxyRefreshToken = result.tokens.refresh_token;

  const seenBefore = proxy.mcp.seenAuthorizations.length;
  const mcpClient = new Client({ name: 'login-bridge-e2e', version: '1.0.0' });
  await mcpClient.connect(new StreamableHTTPClientTransport(new URL(proxy.mcpUrl), { authProvider: client }));
  try {
    const whoami = await mcpClient.callTool({ name: 'whoami', arguments: {} });
    assert.deepEqual(whoami.content, [{ type: 'text', text: username }]);
  } finally {
    await mcpClient.close();
  }

  const seen = proxy.mcp.seenAuthorizations.slice(seenBefore);
  assert.ok(seen.length > 0, 'the MCP server was called');
  for (const header of seen) {
    if (header === '') continue;
    assert.match(header, /^bearer /i);
    const bearer = header.slice(7);
    assert.equal(
      proxy.idp.userForAccessToken(bearer),
      username,
      'the MCP server got the user’s IdP access token',
    );
  }
  for (const header of proxy.mcp.seenAuthorizations) {
    assert.ok(
      !header.includes(proxyAccessToken),
      'the proxy-issued access token never reaches the MCP server',
    );
    if (proxyRefreshToken !== undefined) assert.ok(!header.includes(proxyRefreshToken));
  }
}

async function withProxy(
  defer: (cleanup: () => Promise<void>) => void,
  options: TestProxyOptions,
  body: (proxy: TestProxy) => Promise<void>,
) {
  const proxy = await startTestProxy(options);
  defer(() => proxy.close());
  await body(proxy);
}

describe('the login bridge on every store backend', () => {
  it('logs a user in with the SDK and serves a tool call on SQLite', async (t) => {
    await withProxy(cleanupStack(t), { store: { kind: 'sqlite' } }, (proxy) =>
      loginAndCallWhoami(proxy, 'alice'),
    );
  });

  it('logs a user in with the SDK and serves a tool call on Redis', async (t) => {
    const url = await redisUrlOrSkip(t);
    if (url === undefined) return;
    const prefix = uniqueRedisPrefix('login-bridge');
    const defer = cleanupStack(t);
    defer(() => deleteRedisPrefix(url, prefix));
    await withProxy(defer, { store: { kind: 'redis', url, prefix } }, (proxy) =>
      loginAndCallWhoami(proxy, 'alice'),
    );
  });
});

describe('the login bridge with each kind of identity provider', () => {
  it('uses the OpenID Connect IdP’s id_token subject as the account (oidc mode)', async (t) => {
    await withProxy(cleanupStack(t), { idpMode: 'oidc' }, async (proxy) => {
      await loginAndCallWhoami(proxy, 'carol');
      assert.ok(proxy.idp.counts.jwks > 0, 'the id_token was checked against the IdP’s keys');
    });
  });

  for (const serverUrl of ['set', 'unset'] as const) {
    it(`logs in at a Heroku-style IdP (no id_token, user_id) from a metadata file, IDENTITY_SERVER_URL ${serverUrl}`, async (t) => {
      const defer = cleanupStack(t);
      const idp = await startFakeIdp({ mode: 'heroku' });
      defer(() => idp.close());
      const dir = await mkdtemp(join(tmpdir(), 'login-bridge-heroku-'));
      defer(() => rm(dir, { recursive: true, force: true }));
      const env: Record<string, string> = {
        IDENTITY_SERVER_METADATA_FILE: await idp.writeMetadataFile(dir),
        IDENTITY_SCOPE: 'global',
        IDENTITY_SERVER_URL: serverUrl === 'set' ? idp.issuer : '',
      };
      await withProxy(defer, { idp, env }, async (proxy) => {
        await loginAndCallWhoami(proxy, 'dave');
        assert.equal(idp.counts.discovery, 0, 'the metadata file replaces discovery');
        assert.equal(idp.lastAuthorizationRequest?.get('scope'), 'global');
        assert.equal(idp.lastAuthorizationRequest?.has('nonce'), false, 'no nonce without OpenID Connect');
      });
    });

    it(`names the Heroku-style IdP on the confirmation page, IDENTITY_SERVER_URL ${serverUrl}`, async (t) => {
      const defer = cleanupStack(t);
      const idp = await startFakeIdp({ mode: 'heroku' });
      defer(() => idp.close());
      const dir = await mkdtemp(join(tmpdir(), 'login-bridge-heroku-'));
      defer(() => rm(dir, { recursive: true, force: true }));
      const env: Record<string, string> = {
        IDENTITY_SERVER_METADATA_FILE: await idp.writeMetadataFile(dir),
        IDENTITY_SCOPE: 'global',
        IDENTITY_SERVER_URL: serverUrl === 'set' ? idp.issuer : '',
      };
      await withProxy(defer, { idp, env }, async (proxy) => {
        const client = new TestOAuthClient();
        assert.equal(await auth(client, { serverUrl: proxy.mcpUrl }), 'REDIRECT');
        assert.ok(client.authorizationUrl !== undefined);
        const targets = { idpUrl: idp.url, redirectUri: client.redirectUrl };
        const page = expectStop(await browse(new UserAgent(), client.authorizationUrl, targets), 'page');
        assert.equal(page.status, 200);
        assert.ok(page.html.includes(new URL(idp.issuer).host), `the page names the IdP ${idp.issuer}`);
      });
    });
  }
});
