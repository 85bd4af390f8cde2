import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  authenticationOf,
  mcpStatusWith,
  obtainTokens,
  postForm,
  type RegisteredClient,
  type TokenAnswer,
} from '../../support/raw-oauth.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { createOffsetClock } from './offset-clock.ts';

// req: A7.3
describe('refresh token rotation with a reuse grace period (default 60 s)', () => {
  const clock = createOffsetClock();
  let proxy: TestProxy;
  before(async () => {
    proxy = await startTestProxy({ clock });
  });
  after(async () => {
    await proxy.close();
  });

  /** A refresh as one host of a hosted client sends it (each with its own address). */
  function refreshFrom(host: string, client: RegisteredClient, refreshToken: string) {
    const auth = authenticationOf(client);
    return postForm<TokenAnswer>(`${proxy.baseUrl}/token`, auth, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    }).then((answer) => ({ host, ...answer }));
  }

  it('answers the previous refresh token again within the grace period, from another host, and revokes nothing', async () => {
    const { client, tokens } = await obtainTokens(proxy.baseUrl);
    const first = await refreshFrom('node-a', client, tokens.refresh_token ?? '');
    assert.equal(first.status, 200);
    clock.advance(20_000);
    const second = await refreshFrom('node-b', client, tokens.refresh_token ?? '');
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.ok(second.body.access_token);
    assert.ok(second.body.refresh_token);

    // Both hosts hold working tokens of the same grant.
    assert.equal(await mcpStatusWith(proxy.mcpUrl, first.body.access_token ?? ''), 200);
    assert.equal(await mcpStatusWith(proxy.mcpUrl, second.body.access_token ?? ''), 200);
    assert.equal((await refreshFrom('node-a', client, first.body.refresh_token ?? '')).status, 200);
    assert.equal((await refreshFrom('node-b', client, second.body.refresh_token ?? '')).status, 200);
  });

  it('measures the window from the first use: presenting the token again does not extend it', async () => {
    const { client, tokens } = await obtainTokens(proxy.baseUrl);
    const rotated = await refreshFrom('node-a', client, tokens.refresh_token ?? '');
    assert.equal(rotated.status, 200);
    clock.advance(50_000);
    assert.equal((await refreshFrom('node-b', client, tokens.refresh_token ?? '')).status, 200);
    clock.advance(11_000);
    const late = await refreshFrom('node-c', client, tokens.refresh_token ?? '');
    assert.equal(late.status, 400);
    assert.equal(late.body.error, 'invalid_grant');
  });

  it('answers reuse after the grace period with invalid_grant and revokes the whole grant (RFC 9700 §4.14.2)', async () => {
    const { client, tokens } = await obtainTokens(proxy.baseUrl);
    const rotated = await refreshFrom('node-a', client, tokens.refresh_token ?? '');
    assert.equal(rotated.status, 200);
    assert.equal(await mcpStatusWith(proxy.mcpUrl, rotated.body.access_token ?? ''), 200);

    clock.advance(61_000);
    const reuse = await refreshFrom('node-b', client, tokens.refresh_token ?? '');
    assert.equal(reuse.status, 400);
    assert.equal(reuse.body.error, 'invalid_grant');

    assert.equal(await mcpStatusWith(proxy.mcpUrl, rotated.body.access_token ?? ''), 401);
    const newest = await refreshFrom('node-a', client, rotated.body.refresh_token ?? '');
    assert.equal(newest.status, 400);
    assert.equal(newest.body.error, 'invalid_grant');
  });

  it('logs a reuse within the grace period as an event with the grant, never the token', async () => {
    const { client, tokens } = await obtainTokens(proxy.baseUrl);
    await refreshFrom('node-a', client, tokens.refresh_token ?? '');
    await refreshFrom('node-b', client, tokens.refresh_token ?? '');
    const events = proxy.logs.filter((line) => line.event === 'oauth.refresh_token_reused_within_grace');
    assert.ok(events.length > 0);
    assert.ok(events.every((line) => typeof line.grantId === 'string'));
    assert.ok(!JSON.stringify(proxy.logs).includes(tokens.refresh_token ?? '-'));
  });
});

describe('refresh token reuse grace turned off (MCP_AUTH_PROXY_REFRESH_TOKEN_GRACE_SECONDS=0)', () => {
  let proxy: TestProxy;
  before(async () => {
    proxy = await startTestProxy({ env: { MCP_AUTH_PROXY_REFRESH_TOKEN_GRACE_SECONDS: '0' } });
  });
  after(async () => {
    await proxy.close();
  });

  it('revokes the grant on the first reuse of a rotated refresh token', async () => {
    const { client, tokens } = await obtainTokens(proxy.baseUrl);
    const auth = authenticationOf(client);
    const refresh = (token: string) =>
      postForm<TokenAnswer>(`${proxy.baseUrl}/token`, auth, {
        grant_type: 'refresh_token',
        refresh_token: token,
      });
    const rotated = await refresh(tokens.refresh_token ?? '');
    assert.equal(rotated.status, 200);
    const reuse = await refresh(tokens.refresh_token ?? '');
    assert.equal(reuse.body.error, 'invalid_grant');
    assert.equal(await mcpStatusWith(proxy.mcpUrl, rotated.body.access_token ?? ''), 401);
  });
});
