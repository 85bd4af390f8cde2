/**
 * Two installations of one app (one client_id, as every installation of a
 * client ID metadata document has) sign one user in through one browser. Each
 * authorization is its own grant: one installation signing out, or a code
 * replayed on a third authorization, never ends another's access (RFC 7009
 * revokes the grant of the revoked token; RFC 6749 §4.1.2 only the tokens of
 * the replayed code). Run on SQLite and on Redis.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { listGrants } from '../../../src/grants/index.ts';
import {
  authorizationRequest,
  exchangeCode,
  loginThroughProxy,
  refreshTokens,
  registerClient,
  whoami,
  type RegisteredClient,
  type TokenResponse,
} from '../../support/login-bridge-steps.ts';
import { mcpStatusOnceSettled, revokeAsPublicClient } from '../../support/raw-oauth.ts';
import { deleteRedisPrefix } from '../../support/redis-cleanup.ts';
import { redisUrlOrSkip, uniqueRedisPrefix } from '../../support/redis.ts';
import { startTestProxy, type TestProxy, type TestStore } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';

type StoreSetup = (t: TestContext) => Promise<{ store: TestStore; cleanUp: () => Promise<void> } | undefined>;

function describeGrantPerAuthorization(label: string, setup: StoreSetup): void {
  describe(`each authorization its own grant, on ${label}`, () => {
    let proxy: TestProxy | undefined;
    let cleanUp = (): Promise<void> => Promise.resolve();
    let client: RegisteredClient;
    /** One browser for every installation: the proxy's session cookie is shared between them. */
    let browser: UserAgent;

    before(async (t) => {
      const chosen = await setup(t as unknown as TestContext);
      if (chosen === undefined) return;
      cleanUp = chosen.cleanUp;
      proxy = await startTestProxy({ store: chosen.store });
      client = await registerClient(proxy.baseUrl, { client_name: 'Editor' });
      browser = new UserAgent();
    });
    after(async () => {
      await proxy?.close();
      await cleanUp();
    });

    const running = (t: TestContext): TestProxy | undefined => {
      if (proxy === undefined) t.skip(`no ${label} store`);
      return proxy;
    };

    /** One installation signs alice in through the shared browser; returns its tokens and its code. */
    async function authorize(on: TestProxy, scope = 'openid offline_access') {
      const request = authorizationRequest(on.baseUrl, client, on.mcpUrl);
      request.url.searchParams.set('scope', scope);
      const { callback } = await loginThroughProxy(browser, on.idp, request, 'alice');
      const tokens = await exchangeCode(on.baseUrl, request, callback, on.mcpUrl);
      return { request, callback, tokens };
    }

    const revokeRefreshToken = (on: TestProxy, tokens: TokenResponse): Promise<number> =>
      revokeAsPublicClient(on.baseUrl, client.client_id, tokens.refresh_token ?? '', 'refresh_token');

    it('keeps the other installation signed in when one signs out, and lists and removes exactly its grant', async (t) => {
      const on = running(t);
      if (on === undefined) return;
      const first = await authorize(on);
      const second = await authorize(on);
      const grants = await listGrants(on.app.store, { clientId: client.client_id });
      assert.equal(grants.length, 2, 'two authorizations, two grants');
      const [grantA, grantB] = grants.map((grant) => grant.grantId);
      assert.ok(grantA !== undefined && grantB !== undefined && grantA !== grantB);
      assert.equal(await whoami(on.mcpUrl, first.tokens.access_token), 'alice');
      assert.equal(await whoami(on.mcpUrl, second.tokens.access_token), 'alice');

      // The first installation signs out.
      assert.equal(await revokeRefreshToken(on, first.tokens), 200);
      assert.equal(await mcpStatusOnceSettled(on.mcpUrl, first.tokens.access_token, 401), 401);
      const refreshedFirst = await refreshTokens(
        on.baseUrl,
        client.client_id,
        first.tokens.refresh_token ?? '',
        on.mcpUrl,
      );
      assert.equal((refreshedFirst.body as { error?: string }).error, 'invalid_grant');

      // The second one goes on: its token, its refresh, and the IdP token the MCP server receives.
      assert.equal(await whoami(on.mcpUrl, second.tokens.access_token), 'alice');
      const refreshedSecond = await refreshTokens(
        on.baseUrl,
        client.client_id,
        second.tokens.refresh_token ?? '',
        on.mcpUrl,
      );
      assert.equal(refreshedSecond.status, 200, JSON.stringify(refreshedSecond.body));
      assert.equal(await whoami(on.mcpUrl, (refreshedSecond.body as TokenResponse).access_token), 'alice');

      // The revoked grant is gone with its IdP tokens; the live one keeps its own.
      const left = await listGrants(on.app.store, { clientId: client.client_id });
      assert.equal(left.length, 1);
      const live = left[0]?.grantId ?? '';
      assert.notEqual(await on.app.store.get(`upstream-tokens:${live}`), undefined);
      const revoked = live === grantA ? grantB : grantA;
      assert.equal(await on.app.store.get(`upstream-tokens:${revoked}`), undefined);
    });

    it('leaves the first two installations working when a code is replayed on a third authorization', async (t) => {
      const on = running(t);
      if (on === undefined) return;
      const first = await authorize(on);
      const second = await authorize(on);
      const third = await authorize(on);
      const replay = await fetch(`${on.baseUrl}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: third.callback.searchParams.get('code') ?? '',
          redirect_uri: third.request.redirectUri,
          client_id: client.client_id,
          code_verifier: third.request.verifier,
        }).toString(),
      });
      assert.equal(((await replay.json()) as { error?: string }).error, 'invalid_grant');

      // RFC 6749 §4.1.2: the tokens issued from the replayed code are revoked, and only those.
      assert.equal(await mcpStatusOnceSettled(on.mcpUrl, third.tokens.access_token, 401), 401);
      assert.equal(await whoami(on.mcpUrl, first.tokens.access_token), 'alice');
      assert.equal(await whoami(on.mcpUrl, second.tokens.access_token), 'alice');
    });

    it('does not end an earlier installation’s tokens without offline_access when the browser authorizes again', async (t) => {
      const on = running(t);
      if (on === undefined) return;
      const first = await authorize(on, 'openid');
      await authorize(on, 'openid');
      assert.equal(await whoami(on.mcpUrl, first.tokens.access_token), 'alice');
      const refreshed = await refreshTokens(
        on.baseUrl,
        client.client_id,
        first.tokens.refresh_token ?? '',
        on.mcpUrl,
      );
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    });
  });
}

describeGrantPerAuthorization('SQLite', () =>
  Promise.resolve({ store: { kind: 'sqlite' }, cleanUp: () => Promise.resolve() }),
);

describeGrantPerAuthorization('Redis', async (t) => {
  const url = await redisUrlOrSkip(t);
  if (url === undefined) return undefined;
  const prefix = uniqueRedisPrefix('grant-per-authorization');
  return { store: { kind: 'redis', url, prefix }, cleanUp: () => deleteRedisPrefix(url, prefix) };
});
