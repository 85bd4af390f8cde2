/**
 * Registrations that were lost (an ephemeral SQLite file, a wiped Redis, a
 * new deployment) are recovered cleanly: the client's next token request gets
 * `invalid_client`, on which the MCP SDK drops its registration, registers
 * again and sends the user through the login (SDK `auth()`: InvalidClientError
 * -> invalidateCredentials('all') -> retry). An unknown client_id at /auth
 * cannot be redirected (RFC 6749 §4.1.2.1), so the browser shows a page that
 * tells the person to reconnect.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { startFakeIdp, type FakeIdp } from '../../support/fake-idp.ts';
import { startMcpFixtureServer, type McpFixtureServer } from '../../support/mcp-fixture-server.ts';
import { mcpStatusWith } from '../../support/raw-oauth.ts';
import { authorizeWithSdk, loginInBrowser } from '../../support/sdk-oauth-client.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { SpecOAuthClient } from './spec-oauth-client.ts';

describe('recovery from a lost registration', () => {
  let idp: FakeIdp;
  let mcp: McpFixtureServer;
  const proxies: TestProxy[] = [];
  before(async () => {
    idp = await startFakeIdp({ mode: 'oidc' });
    mcp = await startMcpFixtureServer({
      stateful: true,
      validateToken: (bearer) => {
        const user = idp.userForAccessToken(bearer);
        return user === undefined ? undefined : { user };
      },
    });
  });
  after(async () => {
    for (const proxy of proxies) await proxy.close();
    await mcp.close();
    await idp.close();
  });

  /** A proxy on `port` with a store of its own: a restart that lost every registration. */
  async function freshProxy(port?: number): Promise<TestProxy> {
    const proxy = await startTestProxy({ idp, mcp, ...(port === undefined ? {} : { port }) });
    proxies.push(proxy);
    return proxy;
  }

  // req: A5.2
  it('makes the SDK client register again and log in when its refresh meets invalid_client', async () => {
    const first = await freshProxy();
    const client = new SpecOAuthClient();
    const login = await authorizeWithSdk(first.mcpUrl, client, new UserAgent(), { username: 'alice' });
    assert.equal(await mcpStatusWith(first.mcpUrl, login.tokens.access_token), 200);
    const [staleClientId] = client.clientIds;
    await first.stop();

    const second = await freshProxy(Number(new URL(first.baseUrl).port));
    assert.equal(second.baseUrl, first.baseUrl, 'same issuer, so the SDK keeps its stored registration');

    // The SDK refreshes with the stale client, gets invalid_client, forgets it and registers anew.
    const outcome = await auth(client, { serverUrl: second.mcpUrl });
    assert.equal(outcome, 'REDIRECT');
    assert.ok(client.invalidations.includes('all'), `invalidations: ${client.invalidations.join(',')}`);
    assert.equal(client.clientIds.length, 2);
    assert.notEqual(client.clientIds[1], staleClientId);
    const authorizationUrl = client.authorizationUrl;
    assert.ok(authorizationUrl);
    assert.equal(authorizationUrl.searchParams.get('client_id'), client.clientIds[1]);

    const result = await loginInBrowser(new UserAgent(), authorizationUrl, client.redirectUrl, {
      username: 'alice',
    });
    const code = result.callback.searchParams.get('code');
    assert.ok(code, result.callback.href);
    assert.equal(await auth(client, { serverUrl: second.mcpUrl, authorizationCode: code }), 'AUTHORIZED');
    assert.equal(await mcpStatusWith(second.mcpUrl, client.tokens()?.access_token ?? ''), 200);
  });

  // req: A5.2
  it('shows a page telling the person to reconnect when a stale client_id reaches /auth, never a redirect', async () => {
    const proxy = await freshProxy();
    const url = new URL(`${proxy.baseUrl}/auth`);
    for (const [name, value] of Object.entries({
      client_id: 'registration-lost-in-a-wipe',
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1:33418/callback',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      state: 'abc',
    })) {
      url.searchParams.set(name, value);
    }
    const response = await fetch(url, { redirect: 'manual' });
    const html = await response.text();
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
    assert.match(html, /register/);
    assert.match(html, /reconnect|add the server again/);
  });
});
