/**
 * The IdP token behind a grant expires while the client's token is still good:
 * the proxy refreshes it at the IdP (once, however many requests notice) and
 * retries; a refused refresh ends the grant, a failed one ends nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import {
  assertTemporarilyUnavailable,
  connectMcp,
  logIn,
  postMcp,
  textOf,
  type LoggedIn,
  type McpConnection,
} from './proxy-steps.ts';

/** A tools/call over raw HTTP in the connection's session, so the test sees the proxy's status and headers. */
async function rawEcho(proxy: TestProxy, user: LoggedIn, connection: McpConnection): Promise<Response> {
  return await postMcp(
    proxy.mcpUrl,
    user.tokens.access_token,
    { id: 42, method: 'tools/call', params: { name: 'echo', arguments: { text: 'raw' } } },
    { 'mcp-session-id': connection.transport.sessionId ?? '' },
  );
}

/** The proxy's /token with a refresh token (RFC 6749 §6), as the public client that got it. */
async function refreshAtProxy(proxy: TestProxy, user: LoggedIn): Promise<Response> {
  const clientId = user.oauth.clientInformation()?.client_id ?? '';
  return await fetch(`${proxy.baseUrl}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: user.tokens.refresh_token ?? '',
      client_id: clientId,
    }).toString(),
  });
}

describe('refreshing the upstream IdP token behind a grant', () => {
  let proxy: TestProxy;
  before(async () => {
    proxy = await startTestProxy();
  });
  after(async () => {
    await proxy.close();
  });

  // req: A3.5
  it('refreshes once and retries when the MCP server refuses the expired IdP token', async () => {
    const alice = await logIn(proxy.mcpUrl, 'alice');
    const { client } = await connectMcp(proxy.mcpUrl, alice.oauth);
    assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { text: 'before' } })), 'before');
    const refreshesBefore = proxy.idp.counts.refresh;

    proxy.idp.expireAccessTokens();

    assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { text: 'after' } })), 'after');
    assert.equal(proxy.idp.counts.refresh, refreshesBefore + 1);
    assert.equal(textOf(await client.callTool({ name: 'whoami', arguments: {} })), 'alice');
    assert.equal(proxy.idp.counts.refresh, refreshesBefore + 1, 'the new IdP token is kept and reused');
    const outcomes = proxy.logs.filter((line) => line['event'] === 'proxy.upstream_refresh');
    assert.ok(outcomes.some((line) => line['outcome'] === 'refreshed'));
    await client.close();
  });

  it('makes exactly one refresh at the IdP for ten concurrent calls with an expired IdP token', async () => {
    const bob = await logIn(proxy.mcpUrl, 'bob');
    const { client } = await connectMcp(proxy.mcpUrl, bob.oauth);
    const refreshesBefore = proxy.idp.counts.refresh;
    const seenBefore = proxy.mcp.seenAuthorizations.length;
    const expired = proxy.mcp.seenAuthorizations.at(-1);

    proxy.idp.expireAccessTokens();

    const texts = Array.from({ length: 10 }, (_, index) => `call ${index}`);
    const results = await Promise.all(
      texts.map((text) => client.callTool({ name: 'echo', arguments: { text } })),
    );
    assert.deepEqual(results.map(textOf), texts);
    assert.equal(proxy.idp.counts.refresh, refreshesBefore + 1);
    // The calls really raced: several reached the MCP server with the expired token and got its 401.
    const rejected = proxy.mcp.seenAuthorizations.slice(seenBefore).filter((value) => value === expired);
    assert.ok(rejected.length >= 2, `only ${rejected.length} call(s) met the expired token`);
    await client.close();
  });

  // req: A3.5
  it('answers 401 with the resource metadata and revokes the grant when the IdP refuses the refresh', async (t) => {
    const carol = await logIn(proxy.mcpUrl, 'carol');
    const connection = await connectMcp(proxy.mcpUrl, carol.oauth);
    t.after(() => connection.client.close());
    const refreshesBefore = proxy.idp.counts.refresh;

    proxy.idp.expireAccessTokens();
    proxy.idp.refreshBehaviour = 'invalid_grant';
    t.after(() => {
      proxy.idp.refreshBehaviour = 'ok';
    });

    const refused = await rawEcho(proxy, carol, connection);
    assert.equal(refused.status, 401);
    const challenge = refused.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer /);
    assert.ok(
      challenge.includes(`resource_metadata="${proxy.baseUrl}/.well-known/oauth-protected-resource/mcp"`),
      challenge,
    );
    assert.match(challenge, /error="invalid_token"/);
    assert.equal(((await refused.json()) as { error: string }).error, 'invalid_token');
    assert.equal(proxy.idp.counts.refresh, refreshesBefore + 1);
    proxy.idp.refreshBehaviour = 'ok';

    // The grant is gone: its access token no longer verifies (no IdP call is even tried) ...
    const afterRevocation = await rawEcho(proxy, carol, connection);
    assert.equal(afterRevocation.status, 401);
    await afterRevocation.arrayBuffer();
    assert.equal(proxy.idp.counts.refresh, refreshesBefore + 1);
    // ... and its refresh token is refused at our /token.
    const refreshed = await refreshAtProxy(proxy, carol);
    assert.equal(refreshed.status, 400);
    assert.equal(((await refreshed.json()) as { error: string }).error, 'invalid_grant');
  });

  it('answers 503 with Retry-After when the IdP fails the refresh, and revokes nothing', async (t) => {
    const dave = await logIn(proxy.mcpUrl, 'dave');
    const connection = await connectMcp(proxy.mcpUrl, dave.oauth);
    t.after(() => connection.client.close());

    proxy.idp.expireAccessTokens();
    proxy.idp.refreshBehaviour = 'server_error';
    t.after(() => {
      proxy.idp.refreshBehaviour = 'ok';
    });

    await assertTemporarilyUnavailable(await rawEcho(proxy, dave, connection));

    proxy.idp.refreshBehaviour = 'ok';
    const refreshesBefore = proxy.idp.counts.refresh;
    const { client } = connection;
    assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { text: 'again' } })), 'again');
    assert.equal(proxy.idp.counts.refresh, refreshesBefore + 1, 'the grant kept its IdP refresh token');
    assert.equal(textOf(await client.callTool({ name: 'whoami', arguments: {} })), 'dave');
    // The grant's own refresh token still works too.
    const refreshed = await refreshAtProxy(proxy, dave);
    assert.equal(refreshed.status, 200);
    const tokens = (await refreshed.json()) as { access_token: string };
    const withNewToken = await postMcp(
      proxy.mcpUrl,
      tokens.access_token,
      { id: 43, method: 'tools/call', params: { name: 'whoami', arguments: {} } },
      { 'mcp-session-id': connection.transport.sessionId ?? '' },
    );
    assert.equal(withNewToken.status, 200);
    assert.match(await withNewToken.text(), /dave/);
  });
});
