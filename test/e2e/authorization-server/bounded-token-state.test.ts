import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { grantSetKey, oidcRecordKey } from '../../../src/store/oidc-adapter.ts';
import {
  authenticationOf,
  mcpStatusWith,
  obtainTokens,
  postForm,
  revokeAsPublicClient,
  type RegisteredClient,
  type TokenAnswer,
} from '../../support/raw-oauth.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { createOffsetClock } from '../spec/offset-clock.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** MCP_AUTH_PROXY_REFRESH_TOKEN_TTL_SECONDS by default: the grant lives this long from the sign-in. */
const GRANT_LIFETIME_MS = 14 * DAY_MS;

/**
 * A proxy on its own clock, which starts at real time: oidc-provider stamps a grant's `exp` in
 * real time, so a sign-in at offset zero makes the grant end where the store's clock says.
 */
function proxyOnItsOwnClock() {
  const clock = createOffsetClock();
  let proxy: TestProxy | undefined;
  before(async () => {
    proxy = await startTestProxy({ clock });
  });
  after(async () => {
    await proxy?.close();
  });
  const running = (): TestProxy => {
    if (proxy === undefined) throw new Error('the proxy did not start');
    return proxy;
  };

  const refresh = (client: RegisteredClient, refreshToken: string) =>
    postForm<TokenAnswer>(`${running().baseUrl}/token`, authenticationOf(client), {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });

  /** Signs in, and reads the grant id the proxy stored for the access token. */
  async function signIn() {
    const { client, tokens } = await obtainTokens(running().baseUrl);
    const access = await running().app.authorizationServer.verifyAccessToken(tokens.access_token);
    assert.ok(access, 'the access token of the sign-in is valid');
    return { client, tokens, grantId: access.grantId };
  }

  const storedRefreshToken = (refreshToken: string) =>
    running().app.store.get(oidcRecordKey('RefreshToken', refreshToken));

  /** The grant.error log lines' details (oidc-provider keeps them out of the response). */
  const grantErrorDetails = () =>
    running()
      .logs.filter((line) => line.event === 'oauth.grant.error')
      .map((line) => line.detail);

  return { clock, running, refresh, signIn, storedRefreshToken, grantErrorDetails };
}

describe('tokens never outlive their grant', () => {
  const { clock, running, refresh, signIn, storedRefreshToken } = proxyOnItsOwnClock();

  it('gives a refresh token issued near the end of its grant only what is left of the grant, so its record goes with the grant', async () => {
    const { client, tokens, grantId } = await signIn();
    clock.advance(GRANT_LIFETIME_MS - 30 * 60_000);

    const late = await refresh(client, tokens.refresh_token ?? '');
    assert.equal(late.status, 200, JSON.stringify(late.body));
    const lateRefreshToken = late.body.refresh_token ?? '';
    assert.ok(late.body.expires_in !== undefined && late.body.expires_in <= 30 * 60, 'the access token too');
    assert.ok(await storedRefreshToken(lateRefreshToken), 'stored while the grant lives');

    clock.advance(31 * 60_000);
    assert.equal(
      await storedRefreshToken(lateRefreshToken),
      undefined,
      'gone with the grant, not 14 days later',
    );
    assert.deepEqual(
      await running().app.store.members(grantSetKey(grantId)),
      [],
      'the grant set is gone too',
    );
    const afterGrant = await refresh(client, lateRefreshToken);
    assert.equal(afterGrant.status, 400);
    assert.equal(afterGrant.body.error, 'invalid_grant');
  });
});

// req: A7.3
describe('spent refresh tokens are kept for the reuse-detection window only, and grant sets stay near their live tokens', () => {
  const { clock, running, refresh, signIn, storedRefreshToken, grantErrorDetails } = proxyOnItsOwnClock();

  it('revokes the grant when a rotated refresh token comes back within the reuse-detection window (a day)', async () => {
    const { client, tokens } = await signIn();
    const rotated = await refresh(client, tokens.refresh_token ?? '');
    assert.equal(rotated.status, 200);

    clock.advance(20 * HOUR_MS);
    const replay = await refresh(client, tokens.refresh_token ?? '');
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_grant');
    assert.equal(grantErrorDetails().at(-1), 'refresh token already used');

    const newest = await refresh(client, rotated.body.refresh_token ?? '');
    assert.equal(newest.status, 400, 'the whole grant is revoked');
    assert.equal(newest.body.error, 'invalid_grant');
  });

  it('after the window forgets the rotated refresh token: a replay gets invalid_grant and revokes nothing', async () => {
    const { client, tokens } = await signIn();
    const rotated = await refresh(client, tokens.refresh_token ?? '');
    assert.equal(rotated.status, 200);
    assert.ok(await storedRefreshToken(tokens.refresh_token ?? ''), 'kept for reuse detection');

    clock.advance(DAY_MS + 60_000);
    assert.equal(await storedRefreshToken(tokens.refresh_token ?? ''), undefined, 'forgotten after a day');
    const replay = await refresh(client, tokens.refresh_token ?? '');
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_grant');
    assert.equal(grantErrorDetails().at(-1), 'refresh token not found');

    const newest = await refresh(client, rotated.body.refresh_token ?? '');
    assert.equal(newest.status, 200, 'the grant still works');
    assert.equal((await refresh(client, newest.body.refresh_token ?? '')).status, 200);
  });

  it('keeps the grant set near its live tokens over many hourly refreshes, and revocation still ends every live token', async () => {
    const { client, tokens, grantId } = await signIn();
    const refreshes = 70;
    let current = { accessToken: tokens.access_token, refreshToken: tokens.refresh_token ?? '' };
    const spent: string[] = [];
    for (let round = 0; round < refreshes; round += 1) {
      clock.advance(HOUR_MS);
      const answer = await refresh(client, current.refreshToken);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      spent.push(current.refreshToken);
      current = {
        accessToken: answer.body.access_token ?? '',
        refreshToken: answer.body.refresh_token ?? '',
      };
    }

    const members = await running().app.store.members(grantSetKey(grantId));
    const records = await Promise.all(members.map((member) => running().app.store.get(member)));
    const live = members.filter((_member, index) => records[index] !== undefined);
    // The last day's 24 spent refresh tokens, the current one and the current access token.
    assert.ok(live.length >= 26 && live.length <= 28, `${live.length} live`);
    assert.ok(
      members.length < 64,
      `${members.length} members for ${live.length} live tokens (${3 + 2 * refreshes} issued)`,
    );
    for (const token of [current.refreshToken, ...spent.slice(-24)]) {
      assert.ok(members.includes(oidcRecordKey('RefreshToken', token)), 'every live refresh token is listed');
    }
    assert.ok(members.includes(oidcRecordKey('AccessToken', current.accessToken)));

    // RFC 7009: revoking a refresh token revokes its grant (oidc-provider), through revokeByGrantId.
    assert.equal(await revokeAsPublicClient(running().baseUrl, client.client_id, current.refreshToken), 200);
    for (const member of live) assert.equal(await running().app.store.get(member), undefined, member);
    assert.equal(await mcpStatusWith(running().mcpUrl, current.accessToken), 401);
    assert.equal((await refresh(client, current.refreshToken)).body.error, 'invalid_grant');
  });
});
