import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  IdentityProviderError,
  type IdentityProviderMetadata,
  type IdentityTokenSet,
} from '../../../src/upstream-idp/index.ts';
import { startFakeIdp, type FakeIdp } from '../../support/fake-idp.ts';
import { clientFor, REDIRECT_URI, redirectBack, thrownBy } from './identity-test-kit.ts';

describe('login at an OpenID Connect IdP', () => {
  let idp: FakeIdp;
  before(async () => {
    idp = await startFakeIdp({ mode: 'oidc', redirectUris: [REDIRECT_URI, `${REDIRECT_URI}-other`] });
  });
  after(() => idp.close());

  it('discovers the IdP once even when initialised concurrently', async () => {
    const client = clientFor(idp);
    const before = idp.counts.discovery;
    await Promise.all([client.initialize(), client.initialize(), client.initialize()]);
    await client.initialize();
    assert.equal(idp.counts.discovery - before, 1);
    assert.equal(client.metadata?.issuer, idp.issuer);
    assert.equal(client.getProviderMetadata()?.token_endpoint, `${idp.url}/token`);
  });

  it('asks for code with PKCE S256, state, scope, nonce and the exact redirect URI', async () => {
    const client = clientFor(idp, { customParameters: { prompt: 'consent' } });
    const url = new URL(await client.generateAuthUrl('state-params'));
    const params = url.searchParams;
    assert.equal(`${url.origin}${url.pathname}`, `${idp.url}/authorize`);
    assert.equal(params.get('response_type'), 'code');
    assert.equal(params.get('client_id'), idp.clientId);
    assert.equal(params.get('redirect_uri'), REDIRECT_URI);
    assert.equal(params.get('scope'), 'openid profile email');
    assert.equal(params.get('state'), 'state-params');
    assert.equal(params.get('code_challenge_method'), 'S256');
    assert.match(params.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.match(params.get('nonce') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(params.get('prompt'), 'consent');
  });

  it('completes a login through the login form and names the user by the id_token sub', async () => {
    idp.autoLoginAs = undefined;
    const client = clientFor(idp);
    const callback = await redirectBack(client, idp, 'state-form', 'bob');
    const tokens = await client.completeLogin({ params: callback.searchParams, state: 'state-form' });
    assert.equal(tokens.userId, idp.userIdFor('bob'));
    assert.equal(idp.userForAccessToken(tokens.accessToken), 'bob');
    assert.equal(tokens.tokenType, 'Bearer');
    assert.equal(tokens.scope, 'openid profile email');
    assert.equal(typeof tokens.idToken, 'string');
    assert.equal(typeof tokens.refreshToken, 'string');
    assert.equal(typeof tokens.expiresAt, 'number');
  });

  it('completes a login from the whole callback URL', async () => {
    idp.autoLoginAs = 'carol';
    const client = clientFor(idp);
    const callback = await redirectBack(client, idp, 'state-url');
    const tokens = await client.completeLogin({ callbackUrl: callback.href, state: 'state-url' });
    assert.equal(tokens.userId, idp.userIdFor('carol'));
  });

  it('exchanges the code with the redirect URI of the authorization request, not the default', async () => {
    idp.autoLoginAs = 'alice';
    const client = clientFor(idp);
    const other = `${REDIRECT_URI}-other`;
    const callback = await idp.authorizeAs(await client.generateAuthUrl('state-other', other));
    assert.equal(`${callback.origin}${callback.pathname}`, other);
    const tokens = await client.completeLogin({ params: callback.searchParams, state: 'state-other' });
    assert.equal(tokens.userId, idp.userIdFor('alice'));
  });

  it('refuses a callback whose state is not the login’s, and the genuine callback still succeeds', async () => {
    idp.autoLoginAs = 'alice';
    const client = clientFor(idp);
    const callback = await redirectBack(client, idp, 'state-genuine');
    const forged = new URLSearchParams(callback.searchParams);
    forged.set('state', 'state-forged');
    const error = await thrownBy(() => client.completeLogin({ params: forged, state: 'state-genuine' }));
    assert.ok(error instanceof IdentityProviderError);
    assert.equal(error.failure, 'invalid_callback');
    assert.equal(error.code, 'invalid_request');
    const tokens = await client.completeLogin({ params: callback.searchParams, state: 'state-genuine' });
    assert.equal(tokens.userId, idp.userIdFor('alice'));
  });

  it('refuses a replayed callback: the pending login is single use', async () => {
    idp.autoLoginAs = 'alice';
    const client = clientFor(idp);
    const callback = await redirectBack(client, idp, 'state-replay');
    await client.completeLogin({ params: callback.searchParams, state: 'state-replay' });
    const tokenCalls = idp.counts.token;
    const error = await thrownBy(() =>
      client.completeLogin({ params: callback.searchParams, state: 'state-replay' }),
    );
    assert.ok(error instanceof IdentityProviderError);
    assert.equal(error.failure, 'invalid_callback');
    assert.equal(idp.counts.token, tokenCalls, 'the replay never reaches the IdP');
  });

  it('refuses a callback that claims another issuer (RFC 9207)', async () => {
    idp.autoLoginAs = 'alice';
    const client = clientFor(idp);
    const callback = await redirectBack(client, idp, 'state-iss');
    const params = new URLSearchParams(callback.searchParams);
    params.set('iss', 'https://attacker.example');
    const error = await thrownBy(() => client.completeLogin({ params, state: 'state-iss' }));
    assert.ok(error instanceof IdentityProviderError);
    assert.equal(error.failure, 'invalid_callback');
  });

  it('relays the IdP’s access_denied as a typed rejection', async () => {
    idp.autoLoginAs = 'alice';
    idp.nextAuthorizationError = 'access_denied';
    const client = clientFor(idp);
    const callback = await redirectBack(client, idp, 'state-denied');
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    const error = await thrownBy(() =>
      client.completeLogin({ params: callback.searchParams, state: 'state-denied' }),
    );
    assert.ok(error instanceof IdentityProviderError);
    assert.equal(error.failure, 'rejected');
    assert.equal(error.endpoint, 'authorization');
    assert.equal(error.error, 'access_denied');
    assert.equal(error.code, 'access_denied');
    assert.equal(error.transient, false);
  });

  for (const [tamper, what, reason] of [
    ['wrong_nonce', 'a nonce it did not send', /"nonce"/],
    ['foreign_key', 'a signature by a key the IdP does not publish', /signature verification failed/],
    ['wrong_audience', 'another audience', /"aud"/],
    ['wrong_issuer', 'another issuer', /"iss"/],
    ['expired', 'an expiry in the past', /"exp"/],
  ] as const) {
    it(`refuses an id_token with ${what}`, async () => {
      idp.autoLoginAs = 'alice';
      const client = clientFor(idp);
      const callback = await redirectBack(client, idp, `state-${tamper}`);
      idp.tamperNextIdToken = tamper;
      const error = await thrownBy(() =>
        client.completeLogin({ params: callback.searchParams, state: `state-${tamper}` }),
      );
      assert.ok(error instanceof IdentityProviderError, String(error));
      assert.equal(error.failure, 'invalid_response');
      assert.equal(error.status, 502);
      assert.equal(error.transient, false);
      assert.match((error.cause as Error).message, reason);
    });
  }

  it('asks userinfo for the user when no openid scope means no id_token', async () => {
    idp.autoLoginAs = 'dave';
    const client = clientFor(idp, { scope: 'profile email' });
    const url = await client.generateAuthUrl('state-userinfo');
    assert.equal(new URL(url).searchParams.has('nonce'), false);
    const callback = await idp.authorizeAs(url);
    const userinfoCalls = idp.counts.userinfo;
    const tokens = await client.completeLogin({ params: callback.searchParams, state: 'state-userinfo' });
    assert.equal(tokens.userId, idp.userIdFor('dave'));
    assert.equal(tokens.idToken, undefined);
    assert.equal(idp.counts.userinfo - userinfoCalls, 1);
  });

  it('exchanges a code in the Heroku adapter’s low-level form', async () => {
    idp.autoLoginAs = 'erin';
    const captured: { verifier?: string } = {};
    const client = clientFor(idp, {
      storageHook: {
        storePKCEState: (_id, _state, codeVerifier) =>
          Promise.resolve(void (captured.verifier = codeVerifier)),
        retrievePKCEState: () => Promise.resolve(null),
        cleanupExpiredState: () => Promise.resolve(),
      },
    });
    const callback = await redirectBack(client, idp, 'state-low-level');
    const tokens = await client.exchangeCode(
      callback.searchParams.get('code')!,
      captured.verifier!,
      REDIRECT_URI,
    );
    assert.equal(tokens.userId, idp.userIdFor('erin'));
  });

  it('authenticates with client_secret_post when told to', async () => {
    idp.autoLoginAs = 'alice';
    const client = clientFor(idp, { tokenEndpointAuthMethod: 'client_secret_post' });
    const callback = await redirectBack(client, idp, 'state-post');
    await client.completeLogin({ params: callback.searchParams, state: 'state-post' });
    assert.equal(idp.lastClientAuthMethod, 'client_secret_post');
  });

  it('authenticates with HTTP Basic by default', async () => {
    idp.autoLoginAs = 'alice';
    const client = clientFor(idp);
    const callback = await redirectBack(client, idp, 'state-basic');
    await client.completeLogin({ params: callback.searchParams, state: 'state-basic' });
    assert.equal(idp.lastClientAuthMethod, 'client_secret_basic');
  });

  it('reports a wrong client secret as misconfiguration, not as the user’s rejection', async () => {
    idp.autoLoginAs = 'alice';
    const client = clientFor(idp, { clientSecret: 'not-the-secret' });
    const callback = await redirectBack(client, idp, 'state-bad-secret');
    const error = await thrownBy(() =>
      client.completeLogin({ params: callback.searchParams, state: 'state-bad-secret' }),
    );
    assert.ok(error instanceof IdentityProviderError);
    assert.equal(error.failure, 'misconfigured');
    assert.equal(error.error, 'invalid_client');
    assert.equal(error.statusCode, 401);
    assert.equal(error.message.includes('not-the-secret'), false);
  });
});

describe('an IdP whose responses name no user', () => {
  let idp: FakeIdp;
  before(async () => {
    idp = await startFakeIdp({ mode: 'oidc', redirectUris: [REDIRECT_URI], autoLoginAs: 'gina' });
  });
  after(() => idp.close());

  /** OAuth 2.0 only (no openid scope, so no id_token) and no userinfo endpoint, like a GitHub OAuth app. */
  function plainOAuthClient(resolveUserId?: (tokens: IdentityTokenSet) => Promise<string | undefined>) {
    const { userinfo_endpoint: _userinfo, ...metadata } = idp.metadata();
    return clientFor(idp, {
      serverUrl: undefined,
      serverMetadata: metadata as unknown as IdentityProviderMetadata,
      scope: 'profile',
      resolveUserId,
    });
  }

  it('fails the login with a typed misconfiguration error, not a crash', async () => {
    const client = plainOAuthClient();
    const callback = await redirectBack(client, idp, 'state-nobody');
    const error = await thrownBy(() =>
      client.completeLogin({ params: callback.searchParams, state: 'state-nobody' }),
    );
    assert.ok(error instanceof IdentityProviderError);
    assert.equal(error.failure, 'misconfigured');
    assert.equal(error.error, 'missing_user_id');
  });

  it('asks resolveUserId as the last resort, with the tokens', async () => {
    const client = plainOAuthClient((tokens) =>
      Promise.resolve(`resolved:${idp.userForAccessToken(tokens.accessToken)}`),
    );
    const callback = await redirectBack(client, idp, 'state-resolved');
    const tokens = await client.completeLogin({ params: callback.searchParams, state: 'state-resolved' });
    assert.equal(tokens.userId, 'resolved:gina');
  });

  it('refuses a callback URL that cannot be parsed', async () => {
    const client = plainOAuthClient();
    const error = await thrownBy(() => client.completeLogin({ callbackUrl: 'not a url', state: 'state-x' }));
    assert.ok(error instanceof IdentityProviderError);
    assert.equal(error.failure, 'invalid_callback');
  });
});
