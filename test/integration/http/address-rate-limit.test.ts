/**
 * MAX_REQUESTS counted as the Heroku proxy counts it (heroku-compat §3a): per
 * client address, on every route, with requests that carry a valid access
 * token left to the per-grant MCP limit, and per address and client where a
 * request names its client. Each test plays its clients from their own
 * loopback addresses (127.0.0.0/8), as clients behind a router would be.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { requestFrom } from '../../support/from-address.ts';
import { mcpStatusWith, obtainTokens, registerClient } from '../../support/raw-oauth.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const basic = (clientId: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('MAX_REQUESTS=1: one request per address and window, on every route', () => {
  let proxy: TestProxy;
  before(async () => {
    proxy = await startTestProxy({ env: { MAX_REQUESTS: '1', MAX_REQUESTS_WINDOW: '600000' } });
  });
  after(async () => {
    await proxy.close();
  });

  it('answers two simultaneous metadata requests with one 200 and one 429, as the reference test expects', async () => {
    const url = `${proxy.baseUrl}/.well-known/oauth-authorization-server`;
    const answers = await Promise.all([requestFrom('127.0.0.2', url), requestFrom('127.0.0.2', url)]);
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 429]);
    const refused = answers.find((answer) => answer.status === 429)!;
    assert.equal(refused.headers['ratelimit-limit'], '1');
    assert.equal(refused.headers['ratelimit-remaining'], '0');
    assert.ok(Number(refused.headers['retry-after']) > 0);
    assert.equal(JSON.parse(refused.body).error, 'rate_limited');
  });

  it('counts protected resource metadata, registration, 404s and the login pages', async () => {
    const cases: Array<
      [string, string, { method?: string; headers?: Record<string, string>; body?: string }]
    > = [
      ['127.0.0.3', '/.well-known/oauth-protected-resource/mcp', {}],
      [
        '127.0.0.4',
        '/reg',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"redirect_uris":[]}' },
      ],
      ['127.0.0.5', '/no/such/path', {}],
      ['127.0.0.6', '/interaction/unknown-uid', {}],
    ];
    for (const [address, path, init] of cases) {
      const first = await requestFrom(address, proxy.baseUrl + path, init);
      assert.notEqual(first.status, 429, `${path}: the first request of ${address} is served`);
      assert.equal(first.headers['ratelimit-limit'], '1', `${path} is counted`);
      const second = await requestFrom(address, proxy.baseUrl + path, init);
      assert.equal(second.status, 429, `${path}: the second request of ${address} is refused`);
    }
  });

  it('counts MCP requests without a valid access token against the same budget', async () => {
    const mcp = `${proxy.baseUrl}/mcp`;
    const post = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
    const first = await requestFrom('127.0.0.7', mcp, post);
    assert.equal(first.status, 401);
    assert.match(String(first.headers['www-authenticate']), /resource_metadata=/);
    const second = await requestFrom('127.0.0.7', mcp, {
      ...post,
      headers: { ...post.headers, authorization: 'Bearer not-a-token' },
    });
    assert.equal(second.status, 429);
    assert.equal(JSON.parse(second.body).error, 'rate_limited');
    // Spent by discovery, the MCP endpoint refuses the next tokenless request too.
    await requestFrom('127.0.0.8', `${proxy.baseUrl}/.well-known/oauth-protected-resource`);
    assert.equal((await requestFrom('127.0.0.8', mcp, post)).status, 429);
  });

  it('keys requests that name their client by address and client: one client cannot spend another one’s budget', async () => {
    const token = (clientId: string) => ({
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: 'x',
        client_id: clientId,
      }).toString(),
    });
    // The address has spent its own budget on discovery.
    await requestFrom('127.0.0.9', `${proxy.baseUrl}/.well-known/oauth-authorization-server`);
    const alpha = await requestFrom('127.0.0.9', `${proxy.baseUrl}/token`, token('client-alpha'));
    assert.notEqual(alpha.status, 429, 'a client named in the form body has a budget of its own');
    assert.equal(JSON.parse(alpha.body).error, 'invalid_client', 'and oidc-provider still reads the body');
    const beta = await requestFrom('127.0.0.9', `${proxy.baseUrl}/token`, token('client-beta'));
    assert.notEqual(beta.status, 429, 'so has a second client behind the same address');
    assert.equal(
      (await requestFrom('127.0.0.9', `${proxy.baseUrl}/token`, token('client-alpha'))).status,
      429,
    );

    const basicAuth = (clientId: string) => ({
      method: 'POST',
      headers: { ...FORM, authorization: basic(clientId, 'secret') },
      body: 'grant_type=refresh_token&refresh_token=x',
    });
    assert.notEqual(
      (await requestFrom('127.0.0.9', `${proxy.baseUrl}/token`, basicAuth('client-gamma'))).status,
      429,
    );
    assert.equal(
      (await requestFrom('127.0.0.9', `${proxy.baseUrl}/token`, basicAuth('client-gamma'))).status,
      429,
    );

    const authorize = `${proxy.baseUrl}/auth?client_id=client-delta&response_type=code`;
    assert.notEqual((await requestFrom('127.0.0.9', authorize)).status, 429);
    assert.equal((await requestFrom('127.0.0.9', authorize)).status, 429);
  });
});

describe('MAX_REQUESTS leaves MCP requests with a valid access token to the per-grant limit', () => {
  let proxy: TestProxy;
  before(async () => {
    proxy = await startTestProxy({ env: { MAX_REQUESTS: '40', MAX_REQUESTS_WINDOW: '600000' } });
  });
  after(async () => {
    await proxy.close();
  });

  it('serves a signed-in client after its address has spent MAX_REQUESTS', async () => {
    const { tokens } = await obtainTokens(proxy.baseUrl, { client: await registerClient(proxy.baseUrl) });
    let refused = false;
    for (let attempt = 0; attempt < 45 && !refused; attempt += 1) {
      const answer = await fetch(`${proxy.baseUrl}/.well-known/oauth-protected-resource`);
      await answer.arrayBuffer();
      refused = answer.status === 429;
    }
    assert.ok(refused, 'the address has spent its budget');
    for (let call = 0; call < 5; call += 1) {
      assert.equal(await mcpStatusWith(`${proxy.baseUrl}/mcp`, tokens.access_token), 200);
    }
    assert.equal(await mcpStatusWith(`${proxy.baseUrl}/mcp`, 'a-token-we-never-issued'), 429);
  });
});
