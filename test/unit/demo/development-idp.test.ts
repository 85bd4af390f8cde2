import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import {
  DevelopmentIdpRefusedError,
  startDevelopmentIdp,
  type DevelopmentIdp,
} from '../../../src/demo/index.ts';
import { createManualClock } from '../../contract/manual-clock.ts';
import { readForm } from '../../support/user-agent.ts';

const CLIENT_ID = 'proxy';
const CLIENT_SECRET = 'development-secret';
const REDIRECT_URI = 'http://localhost:3000/interaction/identity/callback';
const BASIC = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(idp: DevelopmentIdp, challenge: string, extra: Record<string, string> = {}): URL {
  const url = new URL('/authorize', idp.url);
  const params = {
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'openid profile email',
    state: 'state-1',
    nonce: 'nonce-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url;
}

/** Shows the login page, types the user name, and returns the redirect back to the client. */
async function signIn(idp: DevelopmentIdp, challenge: string, username: string): Promise<URL> {
  const page = await fetch(authorizeUrl(idp, challenge));
  assert.equal(page.status, 200);
  const form = readForm(await page.text(), idp.url);
  form.fields.set('username', username);
  const back = await fetch(form.action, { method: 'POST', body: form.fields, redirect: 'manual' });
  assert.equal(back.status, 303);
  return new URL(back.headers.get('location')!);
}

async function token(idp: DevelopmentIdp, form: Record<string, string>, authorization = BASIC) {
  const response = await fetch(new URL('/token', idp.url), {
    method: 'POST',
    headers: { authorization },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

describe('development identity provider: where it may run', () => {
  it('refuses to start with NODE_ENV=production, naming the variable', async () => {
    await assert.rejects(
      startDevelopmentIdp({ nodeEnv: 'production', localInsecure: true, clientId: 'c', clientSecret: 's' }),
      (error: unknown) =>
        error instanceof DevelopmentIdpRefusedError &&
        error.reason === 'production' &&
        error.code === 'DEVELOPMENT_IDP_REFUSED' &&
        error.message.includes('NODE_ENV=production'),
    );
  });

  it('refuses to start when LOCAL_INSECURE is unset (read as false), naming the variable', async () => {
    await assert.rejects(
      startDevelopmentIdp({ nodeEnv: undefined, localInsecure: false, clientId: 'c', clientSecret: 's' }),
      (error: unknown) =>
        error instanceof DevelopmentIdpRefusedError &&
        error.reason === 'not_local_insecure' &&
        error.message.includes('LOCAL_INSECURE'),
    );
  });
});

describe('development identity provider: the protocol', () => {
  const clock = createManualClock(Date.now());
  let idp: DevelopmentIdp;

  before(async () => {
    idp = await startDevelopmentIdp({
      nodeEnv: 'development',
      localInsecure: true,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUris: [REDIRECT_URI],
      clock,
    });
  });
  after(async () => {
    await idp.close();
  });

  it('publishes OpenID discovery with PKCE S256 and the iss response parameter', async () => {
    const metadata = (await (await fetch(`${idp.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    assert.equal(metadata['issuer'], idp.url);
    assert.deepEqual(metadata['code_challenge_methods_supported'], ['S256']);
    assert.equal(metadata['authorization_response_iss_parameter_supported'], true);
  });

  it('shows an accessible login page that loads nothing from elsewhere and carries the request', async () => {
    const response = await fetch(authorizeUrl(idp, pkce().challenge));
    const html = await response.text();
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.match(html, /<label for="username">User name<\/label>/);
    assert.match(html, /<input type="text" id="username" name="username"/);
    assert.match(html, /<html lang="en">/);
    assert.doesNotMatch(html, /(src|href)="https?:/);
    assert.doesNotMatch(html, /<script/);
    assert.equal(readForm(html, idp.url).fields.get('state'), 'state-1');
  });

  it('never redirects to an unregistered redirect URI', async () => {
    const response = await fetch(
      authorizeUrl(idp, pkce().challenge, { redirect_uri: 'https://evil.example/cb' }),
      {
        redirect: 'manual',
      },
    );
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
  });

  it('sends a request without PKCE S256 back to the client with invalid_request', async () => {
    const response = await fetch(authorizeUrl(idp, pkce().challenge, { code_challenge_method: 'plain' }), {
      redirect: 'manual',
    });
    const location = new URL(response.headers.get('location')!);
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.equal(location.searchParams.get('state'), 'state-1');
  });

  it('asks again, with the error announced, when no user name is typed', async () => {
    const page = await fetch(authorizeUrl(idp, pkce().challenge));
    const form = readForm(await page.text(), idp.url);
    const again = await fetch(form.action, { method: 'POST', body: form.fields });
    const html = await again.text();
    assert.equal(again.status, 400);
    assert.match(html, /role="alert">Type a user name to sign in\./);
    assert.match(html, /aria-invalid="true"/);
  });

  it('signs anyone in by name and issues tokens only for the right PKCE verifier, once', async () => {
    const { verifier, challenge } = pkce();
    const back = await signIn(idp, challenge, 'alice');
    assert.equal(back.searchParams.get('iss'), idp.url);
    assert.equal(back.searchParams.get('state'), 'state-1');
    const code = back.searchParams.get('code')!;
    const exchange = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI };

    const wrong = await token(idp, { ...exchange, code_verifier: pkce().verifier });
    assert.deepEqual([wrong.status, wrong.body['error']], [400, 'invalid_grant']);
    // The failed attempt spent the code (RFC 6749 §4.1.2: single use).
    const retried = await token(idp, { ...exchange, code_verifier: verifier });
    assert.equal(retried.body['error'], 'invalid_grant');

    const fresh = pkce();
    const secondCode = (await signIn(idp, fresh.challenge, 'alice')).searchParams.get('code')!;
    const granted = await token(idp, { ...exchange, code: secondCode, code_verifier: fresh.verifier });
    assert.equal(granted.status, 200);
    assert.equal(idp.userForAccessToken(granted.body['access_token']!), 'alice');

    const jwks = (await (await fetch(`${idp.url}/jwks`)).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(granted.body['id_token']!, createLocalJWKSet(jwks), {
      issuer: idp.url,
      audience: CLIENT_ID,
      currentDate: new Date(clock.nowMs()),
    });
    assert.deepEqual([payload.sub, payload['nonce']], ['alice', 'nonce-1']);

    const userinfo = await fetch(`${idp.url}/userinfo`, {
      headers: { authorization: `Bearer ${granted.body['access_token']}` },
    });
    assert.equal(((await userinfo.json()) as Record<string, string>)['preferred_username'], 'alice');
  });

  it('refuses a wrong client secret with invalid_client', async () => {
    const wrong = `Basic ${Buffer.from(`${CLIENT_ID}:not-it`).toString('base64')}`;
    const response = await token(idp, { grant_type: 'refresh_token', refresh_token: 'x' }, wrong);
    assert.deepEqual([response.status, response.body['error']], [401, 'invalid_client']);
  });

  it('rotates refresh tokens and lets access tokens expire on the clock', async () => {
    const { verifier, challenge } = pkce();
    const code = (await signIn(idp, challenge, 'bob')).searchParams.get('code')!;
    const first = await token(idp, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
    const refreshed = await token(idp, {
      grant_type: 'refresh_token',
      refresh_token: first.body['refresh_token']!,
    });
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.body['refresh_token'], first.body['refresh_token']);
    const replay = await token(idp, {
      grant_type: 'refresh_token',
      refresh_token: first.body['refresh_token']!,
    });
    assert.equal(replay.body['error'], 'invalid_grant');

    clock.advance(3600 * 1000);
    assert.equal(idp.userForAccessToken(refreshed.body['access_token']!), undefined);
  });
});
