import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { IdentityProviderError, type IdentityTokens } from '../../../src/upstream-idp/index.ts';
import { startFakeIdp, type FakeIdp } from '../../support/fake-idp.ts';
import { clientFor, REDIRECT_URI, redirectBack, thrownBy } from './identity-test-kit.ts';

for (const mode of ['oidc', 'heroku'] as const) {
  describe(`refresh at a ${mode} IdP`, () => {
    let idp: FakeIdp;
    let tokens: IdentityTokens;
    let client: ReturnType<typeof clientFor>;
    before(async () => {
      idp = await startFakeIdp({ mode, redirectUris: [REDIRECT_URI], autoLoginAs: 'rita' });
      // A short limit so that the hanging refresh below ends quickly.
      client = clientFor(idp, { timeoutMs: 300, scope: mode === 'heroku' ? 'global' : 'openid profile' });
    });
    beforeEach(async () => {
      idp.refreshBehaviour = 'ok';
      const callback = await redirectBack(client, idp, `state-${Math.random()}`);
      tokens = await client.completeLogin({
        params: callback.searchParams,
        state: callback.searchParams.get('state')!,
      });
    });
    after(() => idp.close());

    it('returns a new access token and the rotated refresh token, naming the same user', async () => {
      const refreshed = await client.refreshToken(tokens.refreshToken!);
      assert.notEqual(refreshed.accessToken, tokens.accessToken);
      assert.notEqual(refreshed.refreshToken, tokens.refreshToken);
      assert.equal(idp.userForAccessToken(refreshed.accessToken), 'rita');
      assert.equal(refreshed.userId, tokens.userId);
      const error = await thrownBy(() => client.refreshToken(tokens.refreshToken!));
      assert.ok(error instanceof IdentityProviderError);
      assert.equal(error.rejected, true, 'the rotated-out refresh token is refused');
    });

    it('reports invalid_grant as a rejection: the grant is gone', async () => {
      idp.refreshBehaviour = 'invalid_grant';
      const error = await thrownBy(() => client.refreshToken(tokens.refreshToken!));
      assert.ok(error instanceof IdentityProviderError);
      assert.equal(error.failure, 'rejected');
      assert.equal(error.rejected, true);
      assert.equal(error.transient, false);
      assert.equal(error.code, 'invalid_grant');
      assert.equal(error.endpoint, 'token');
      assert.equal(error.statusCode, 400);
      assert.equal(error.message.includes(tokens.refreshToken!), false);
    });

    it('reports a server error as transient: 503 with Retry-After, nothing to revoke', async () => {
      idp.refreshBehaviour = 'server_error';
      const error = await thrownBy(() => client.refreshToken(tokens.refreshToken!));
      assert.ok(error instanceof IdentityProviderError);
      assert.equal(error.transient, true);
      assert.equal(error.rejected, false);
      assert.equal(error.status, 503);
      assert.equal(error.retryAfterSeconds, 5);
      assert.equal(error.statusCode, 500);
    });

    it('reports an IdP that never answers as transient once the time limit passes', async () => {
      idp.refreshBehaviour = 'hang';
      const error = await thrownBy(() => client.refreshToken(tokens.refreshToken!));
      assert.ok(error instanceof IdentityProviderError);
      assert.equal(error.transient, true);
      assert.equal(error.endpoint, 'token');
      assert.equal(error.statusCode, undefined);
      assert.match(error.message, /did not answer in time/);
    });
  });
}
