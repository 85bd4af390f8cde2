/**
 * The leg to the upstream IdP: what the proxy asks for, and how each way the
 * IdP's answer can go wrong reaches the MCP client (as an OAuth error on its
 * redirect URI, RFC 6749 §4.1.2.1) or the browser (a 4xx/503 page), never as
 * a 500.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeIdp } from '../../support/fake-idp.ts';
import {
  authorizationRequest,
  browse,
  expectStop,
  loginThroughProxy,
  registerClient,
  signInAtIdp,
  submitConfirmation,
  type AuthorizationRequest,
  type RegisteredClient,
} from '../../support/login-bridge-steps.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';

/** RFC 6749 §4.1.2.1: the only codes an authorization error response may carry. */
const AUTHORIZATION_ERROR_CODES = new Set([
  'invalid_request',
  'unauthorized_client',
  'access_denied',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
]);

/** Opens a fresh authorization request in a new browser and confirms it; returns the browser at the IdP. */
async function startAtIdp(proxy: TestProxy, client: RegisteredClient) {
  const agent = new UserAgent();
  const request = authorizationRequest(proxy.baseUrl, client, proxy.mcpUrl);
  const targets = { idpUrl: proxy.idp.url, redirectUri: request.redirectUri };
  const page = expectStop(await browse(agent, request.url, targets), 'page');
  const atIdp = expectStop(await submitConfirmation(agent, page, targets), 'idp');
  return { agent, request, targets, idpUrl: atIdp.url };
}

function assertErrorResponse(callback: URL, request: AuthorizationRequest, proxy: TestProxy, error: string) {
  assert.equal(callback.searchParams.get('error'), error);
  assert.equal(callback.searchParams.get('state'), request.state);
  assert.equal(callback.searchParams.get('iss'), proxy.baseUrl);
  assert.equal(callback.searchParams.get('code'), null);
}

describe('the upstream login', () => {
  let proxy: TestProxy;
  let client: RegisteredClient;
  before(async () => {
    proxy = await startTestProxy();
    client = await registerClient(proxy.baseUrl);
  });
  after(async () => {
    await proxy.close();
  });

  // req: A8.6
  it('asks the IdP with PKCE S256, a fresh state, a nonce and the exact registered redirect URI', async () => {
    const { idpUrl } = await startAtIdp(proxy, client);
    const sent = idpUrl.searchParams;
    assert.equal(sent.get('response_type'), 'code');
    assert.equal(sent.get('client_id'), proxy.idp.clientId);
    assert.equal(sent.get('redirect_uri'), `${proxy.baseUrl}/interaction/identity/callback`);
    assert.equal(sent.get('code_challenge_method'), 'S256');
    assert.match(sent.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.ok((sent.get('state') ?? '').length >= 22, 'state is long enough to be unguessable');
    assert.ok((sent.get('nonce') ?? '').length >= 22, 'an OpenID Connect IdP gets a nonce');
    assert.equal(sent.get('scope'), 'openid profile email');
    await signInAtIdp(proxy.idp, idpUrl, 'alice');
    assert.equal(
      proxy.idp.lastAuthorizationRequest?.toString(),
      sent.toString(),
      'the IdP got exactly these',
    );

    const second = await startAtIdp(proxy, client);
    assert.notEqual(second.idpUrl.searchParams.get('state'), idpUrl.searchParams.get('state'));
    assert.notEqual(
      second.idpUrl.searchParams.get('code_challenge'),
      idpUrl.searchParams.get('code_challenge'),
    );
  });

  it('relays the IdP’s access_denied to the client’s redirect URI with state and iss', async () => {
    const { agent, request, targets, idpUrl } = await startAtIdp(proxy, client);
    proxy.idp.nextAuthorizationError = 'access_denied';
    const idpCallback = await signInAtIdp(proxy.idp, idpUrl, 'alice');
    assert.equal(idpCallback.searchParams.get('error'), 'access_denied');
    const back = expectStop(await browse(agent, idpCallback, targets), 'client');
    assertErrorResponse(back.url, request, proxy, 'access_denied');
  });

  it('relays the IdP’s server_error to the client as temporarily_unavailable', async () => {
    const { agent, request, targets, idpUrl } = await startAtIdp(proxy, client);
    proxy.idp.nextAuthorizationError = 'server_error';
    const back = expectStop(
      await browse(agent, await signInAtIdp(proxy.idp, idpUrl, 'alice'), targets),
      'client',
    );
    assertErrorResponse(back.url, request, proxy, 'temporarily_unavailable');
  });

  it('answers a code the IdP refuses with an authorization error the client understands', async () => {
    const { agent, request, targets, idpUrl } = await startAtIdp(proxy, client);
    const idpCallback = await signInAtIdp(proxy.idp, idpUrl, 'alice');
    // Someone else spends the code at the IdP first (a strict IdP marks it used even on a failed exchange).
    await fetch(`${proxy.idp.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: idpCallback.searchParams.get('code') ?? '',
        redirect_uri: `${proxy.baseUrl}/interaction/identity/callback`,
        code_verifier: 'x'.repeat(43),
        client_id: proxy.idp.clientId,
        client_secret: proxy.idp.clientSecret,
      }).toString(),
    });
    const back = expectStop(await browse(agent, idpCallback, targets), 'client');
    const error = back.url.searchParams.get('error') ?? '';
    assert.ok(AUTHORIZATION_ERROR_CODES.has(error), `"${error}" is an RFC 6749 §4.1.2.1 code`);
    assert.equal(back.url.searchParams.get('state'), request.state);
    assert.equal(back.url.searchParams.get('code'), null);
  });

  it('answers an id_token with the wrong nonce with server_error, without a code', async () => {
    const { agent, request, targets, idpUrl } = await startAtIdp(proxy, client);
    proxy.idp.tamperNextIdToken = 'wrong_nonce';
    const back = expectStop(
      await browse(agent, await signInAtIdp(proxy.idp, idpUrl, 'alice'), targets),
      'client',
    );
    assertErrorResponse(back.url, request, proxy, 'server_error');
  });

  // req: A8.6
  it('answers an IdP callback with an unknown state with a 4xx page', async () => {
    const agent = new UserAgent();
    for (const query of [
      'state=not-a-login-state&code=abc',
      'code=abc',
      '',
      'error=access_denied&state=nope',
    ]) {
      const response = await agent.request(`${proxy.baseUrl}/interaction/identity/callback?${query}`);
      const html = await response.text();
      assert.ok(response.status >= 400 && response.status < 500, `"${query}" → ${response.status}`);
      assert.match(response.headers.get('content-type') ?? '', /text\/html/);
      assert.ok(!/at .*\.ts:\d+/.test(html), 'no stack trace on the page');
    }
  });

  it('answers an interaction callback path with an unknown interaction with a 4xx page', async () => {
    const response = await new UserAgent().request(
      `${proxy.baseUrl}/interaction/no-such-interaction/identity/callback?state=x&code=y`,
    );
    assert.ok(response.status >= 400 && response.status < 500, `got ${response.status}`);
  });

  // req: A8.6
  it('refuses a replayed IdP callback with a 4xx page after the login finished', async () => {
    const agent = new UserAgent();
    const request = authorizationRequest(proxy.baseUrl, client, proxy.mcpUrl);
    const first = await loginThroughProxy(agent, proxy.idp, request, 'alice');
    assert.ok(first.callback.searchParams.get('code'));
    const replay = await browse(agent, first.idpCallback, {
      idpUrl: proxy.idp.url,
      redirectUri: request.redirectUri,
    });
    const page = expectStop(replay, 'page');
    assert.ok(page.status >= 400 && page.status < 500, `got ${page.status}`);
  });
});

describe('the upstream login when the IdP is down at callback time', () => {
  it('sends the client temporarily_unavailable (or shows a 503 page), never a 500', async (t) => {
    const idp = await startFakeIdp({ mode: 'oidc' });
    const proxy = await startTestProxy({ idp });
    let idpClosed = false;
    t.after(async () => {
      await proxy.close();
      if (!idpClosed) await idp.close();
    });
    const client = await registerClient(proxy.baseUrl);
    const { agent, request, targets, idpUrl } = await startAtIdp(proxy, client);
    const idpCallback = await signInAtIdp(idp, idpUrl, 'alice');
    await idp.close();
    idpClosed = true;

    const stop = await browse(agent, idpCallback, targets);
    if (stop.at === 'client') {
      assertErrorResponse(stop.url, request, proxy, 'temporarily_unavailable');
    } else {
      const page = expectStop(stop, 'page');
      assert.equal(page.status, 503);
    }
  });
});
