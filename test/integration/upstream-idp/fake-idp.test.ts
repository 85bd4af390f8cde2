import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startFakeIdp, type FakeIdp } from '../../support/fake-idp.ts';
import { createManualClock } from '../../contract/manual-clock.ts';
import { REDIRECT_URI } from './identity-test-kit.ts';

const verifier = (): string => randomBytes(32).toString('base64url');
const challengeOf = (value: string): string => createHash('sha256').update(value).digest('base64url');

function authorizeUrl(idp: FakeIdp, overrides: Record<string, string | undefined> = {}): string {
  const url = new URL(`${idp.url}/authorize`);
  const params: Record<string, string | undefined> = {
    client_id: idp.clientId,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'openid',
    state: 'xyz',
    code_challenge_method: 'S256',
    ...overrides,
  };
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(name, value);
  return url.href;
}

async function codeFor(idp: FakeIdp, codeVerifier: string): Promise<string> {
  const back = await idp.authorizeAs(
    authorizeUrl(idp, { code_challenge: challengeOf(codeVerifier) }),
    'alice',
  );
  return back.searchParams.get('code')!;
}

function tokenRequest(
  idp: FakeIdp,
  body: Record<string, string>,
  auth: 'basic' | 'post' = 'basic',
): Promise<Response> {
  const form = new URLSearchParams(body);
  const headers: Record<string, string> = {};
  if (auth === 'basic') {
    headers['authorization'] =
      `Basic ${Buffer.from(`${idp.clientId}:${idp.clientSecret}`).toString('base64')}`;
  } else {
    form.set('client_id', idp.clientId);
    form.set('client_secret', idp.clientSecret);
  }
  return fetch(`${idp.url}/token`, { method: 'POST', headers, body: form });
}

describe('the fake IdP', () => {
  let idp: FakeIdp;
  const clock = createManualClock(Date.now());
  before(async () => {
    idp = await startFakeIdp({ mode: 'oidc', redirectUris: [REDIRECT_URI], clock });
  });
  after(() => idp.close());

  it('answers an unregistered redirect URI or unknown client with a page, never a redirect', async () => {
    for (const overrides of [{ redirect_uri: `${REDIRECT_URI}/evil` }, { client_id: 'someone-else' }]) {
      const response = await fetch(authorizeUrl(idp, { ...overrides, code_challenge: 'c' }), {
        redirect: 'manual',
      });
      assert.equal(response.status, 400);
      assert.equal(response.headers.get('location'), null);
    }
  });

  it('redirects with invalid_request when PKCE S256 is missing', async () => {
    for (const overrides of [{}, { code_challenge: 'c', code_challenge_method: 'plain' }]) {
      const response = await fetch(authorizeUrl(idp, overrides), { redirect: 'manual' });
      const location = new URL(response.headers.get('location')!);
      assert.equal(location.searchParams.get('error'), 'invalid_request');
      assert.equal(location.searchParams.get('state'), 'xyz');
    }
  });

  it('shows a login form and issues a code bound to the redirect URI after it is posted', async () => {
    const page = await fetch(authorizeUrl(idp, { code_challenge: 'c' }));
    assert.match(await page.text(), /<input name="username"/);
    const back = await idp.authorizeAs(authorizeUrl(idp, { code_challenge: 'c' }), 'alice');
    assert.equal(`${back.origin}${back.pathname}`, REDIRECT_URI);
    assert.equal(back.searchParams.get('state'), 'xyz');
    assert.equal(back.searchParams.get('iss'), idp.issuer);
    assert.ok(back.searchParams.get('code'));
  });

  it('issues tokens for the right verifier, by Basic or by client_secret_post', async () => {
    for (const auth of ['basic', 'post'] as const) {
      const codeVerifier = verifier();
      const code = await codeFor(idp, codeVerifier);
      const response = await tokenRequest(
        idp,
        { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: codeVerifier },
        auth,
      );
      assert.equal(response.status, 200);
      const body = (await response.json()) as Record<string, unknown>;
      assert.equal(idp.userForAccessToken(body['access_token'] as string), 'alice');
      assert.equal(typeof body['id_token'], 'string');
    }
  });

  it('refuses a wrong verifier, a different redirect URI and a reused code with invalid_grant', async () => {
    const wrongVerifier = await tokenRequest(idp, {
      grant_type: 'authorization_code',
      code: await codeFor(idp, verifier()),
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier(),
    });
    assert.equal(((await wrongVerifier.json()) as { error: string }).error, 'invalid_grant');

    const codeVerifier = verifier();
    const wrongRedirect = await tokenRequest(idp, {
      grant_type: 'authorization_code',
      code: await codeFor(idp, codeVerifier),
      redirect_uri: `${REDIRECT_URI}/`,
      code_verifier: codeVerifier,
    });
    assert.equal(((await wrongRedirect.json()) as { error: string }).error, 'invalid_grant');

    const reusedVerifier = verifier();
    const grant = {
      grant_type: 'authorization_code',
      code: await codeFor(idp, reusedVerifier),
      redirect_uri: REDIRECT_URI,
      code_verifier: reusedVerifier,
    };
    const first = (await (await tokenRequest(idp, grant)).json()) as { access_token: string };
    const second = await tokenRequest(idp, grant);
    assert.equal(second.status, 400);
    assert.equal(idp.isValidAccessToken(first.access_token), false, 'a replayed code revokes what it issued');
  });

  it('refuses a wrong client secret with 401 invalid_client and a Basic challenge', async () => {
    const response = await fetch(`${idp.url}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${idp.clientId}:wrong`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x' }),
    });
    assert.equal(response.status, 401);
    assert.match(response.headers.get('www-authenticate') ?? '', /^Basic/);
  });

  it('expires access tokens after their lifetime and on demand, and userinfo then answers 401', async () => {
    const codeVerifier = verifier();
    const code = await codeFor(idp, codeVerifier);
    const body = (await (
      await tokenRequest(idp, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: codeVerifier,
      })
    ).json()) as { access_token: string };
    const userinfo = await fetch(`${idp.url}/userinfo`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    assert.equal(((await userinfo.json()) as { sub: string }).sub, idp.userIdFor('alice'));
    clock.advance(idp.accessTokenTtlSeconds * 1000);
    assert.equal(idp.isValidAccessToken(body.access_token), false);
    const expired = await fetch(`${idp.url}/userinfo`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    assert.equal(expired.status, 401);
  });

  it('invalidates every issued access token with expireAccessTokens()', async () => {
    const codeVerifier = verifier();
    const code = await codeFor(idp, codeVerifier);
    const body = (await (
      await tokenRequest(idp, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: codeVerifier,
      })
    ).json()) as { access_token: string };
    assert.equal(idp.isValidAccessToken(body.access_token), true);
    idp.expireAccessTokens();
    assert.equal(idp.isValidAccessToken(body.access_token), false);
    assert.equal(idp.userForAccessToken(body.access_token), undefined);
  });
});

describe('the fake IdP in heroku mode', () => {
  let idp: FakeIdp;
  before(async () => {
    idp = await startFakeIdp({ mode: 'heroku', redirectUris: [REDIRECT_URI], autoLoginAs: 'hank' });
  });
  after(() => idp.close());

  it('publishes RFC 8414 metadata only, without JWKS or userinfo', async () => {
    assert.equal((await fetch(`${idp.url}/.well-known/openid-configuration`)).status, 404);
    const metadata = (await (
      await fetch(`${idp.url}/.well-known/oauth-authorization-server`)
    ).json()) as Record<string, unknown>;
    assert.equal(metadata['issuer'], idp.issuer);
    assert.equal(metadata['jwks_uri'], undefined);
    assert.equal(metadata['userinfo_endpoint'], undefined);
  });

  it('answers with user_id and session_nonce and no id_token, even for openid', async () => {
    const codeVerifier = verifier();
    const code = await codeFor(idp, codeVerifier);
    const body = (await (
      await tokenRequest(idp, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: codeVerifier,
      })
    ).json()) as Record<string, unknown>;
    assert.equal(body['user_id'], idp.userIdFor('hank'));
    assert.equal(typeof body['session_nonce'], 'string');
    assert.equal(body['id_token'], undefined);
  });
});
