import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  authenticationOf,
  authorizationUrl,
  createPkce,
  loginWith,
  mcpStatusWith,
  obtainTokens,
  postForm,
  registerClient,
  type RegisteredClient,
} from '../../support/raw-oauth.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';

const NO_STACK_TRACE = /\bat [\w.<>]+ \(|node:internal|\.js:\d+:\d+|\.ts:\d+:\d+/;

describe('the authorization endpoint', () => {
  let proxy: TestProxy;
  let client: RegisteredClient;
  before(async () => {
    proxy = await startTestProxy();
    client = await registerClient(proxy.baseUrl);
  });
  after(async () => {
    await proxy.close();
  });

  /** The first answer of /auth, not followed. */
  async function firstHop(
    overrides: Record<string, string | undefined>,
    who: Pick<RegisteredClient, 'client_id' | 'redirect_uris'> = client,
  ): Promise<Response> {
    return await fetch(authorizationUrl(proxy.baseUrl, who, createPkce(), overrides), { redirect: 'manual' });
  }

  /** Asserts an RFC 6749 §4.1.2.1 error redirect to the client, with state and iss (RFC 9207). */
  async function assertErrorRedirect(response: Response, error: string, state: string): Promise<URL> {
    await response.arrayBuffer();
    assert.ok(
      response.status === 302 || response.status === 303,
      `expected a redirect, got ${response.status}`,
    );
    const location = new URL(response.headers.get('location') ?? '');
    assert.equal(`${location.origin}${location.pathname}`, client.redirect_uris[0]);
    assert.equal(location.searchParams.get('error'), error);
    assert.equal(location.searchParams.get('state'), state);
    assert.equal(location.searchParams.get('iss'), proxy.baseUrl);
    return location;
  }

  /** Asserts a 400 page shown in the browser, with no redirect anywhere (RFC 6749 §4.1.2.1). */
  async function assertErrorPage(response: Response, error: string): Promise<string> {
    const html = await response.text();
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.match(html, new RegExp(error));
    assert.doesNotMatch(html, NO_STACK_TRACE);
    return html;
  }

  describe('PKCE (OAuth 2.1 §4.1.1)', () => {
    // req: A6.3, A6.7, A6.8
    it('refuses a request without code_challenge with an invalid_request redirect carrying state and iss', async () => {
      const response = await firstHop({
        code_challenge: undefined,
        code_challenge_method: undefined,
        state: 'no-pkce',
      });
      await assertErrorRedirect(response, 'invalid_request', 'no-pkce');
    });

    // req: A6.3
    it('refuses code_challenge_method=plain', async () => {
      const pkce = createPkce();
      const response = await firstHop({
        code_challenge: pkce.verifier,
        code_challenge_method: 'plain',
        state: 'plain',
      });
      await assertErrorRedirect(response, 'invalid_request', 'plain');
    });

    it('refuses response types other than code', async () => {
      const response = await firstHop({ response_type: 'token', state: 'implicit' });
      await response.arrayBuffer();
      const location = new URL(response.headers.get('location') ?? '');
      const answer = new URLSearchParams(location.hash.slice(1) || location.search);
      assert.equal(answer.get('error'), 'unsupported_response_type');
      assert.equal(answer.get('state'), 'implicit');
    });
  });

  describe('client and redirect URI', () => {
    // req: A2.2, A5.2
    it('shows a page, never a redirect, for an unknown client_id, telling the user to reconnect so the client registers again', async () => {
      const ghost = {
        client_id: 'client-this-server-never-saw',
        redirect_uris: ['http://127.0.0.1:33418/callback'],
      };
      const html = await assertErrorPage(await firstHop({}, ghost), 'invalid_client');
      assert.match(html, /not registered/);
      assert.match(html, /registers again/);
    });

    // req: A6.5, A8.5
    it('shows a page, never a redirect, for a redirect URI the client did not register', async () => {
      await assertErrorPage(
        await firstHop({ redirect_uri: 'https://evil.example/callback' }),
        'invalid_redirect_uri',
      );
    });

    it('sends its error pages with the same security headers as the login pages (CSP, no framing)', async () => {
      const ghost = {
        client_id: 'client-this-server-never-saw',
        redirect_uris: ['http://127.0.0.1:33418/callback'],
      };
      const response = await firstHop({}, ghost);
      await response.arrayBuffer();
      assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      assert.equal(response.headers.get('x-frame-options'), 'DENY');
    });

    // req: A5.2
    it('answers an unknown client at the token endpoint with invalid_client (the SDK re-registers on it)', async () => {
      const answer = await postForm(
        `${proxy.baseUrl}/token`,
        { method: 'none', clientId: 'client-this-server-never-saw' },
        { grant_type: 'refresh_token', refresh_token: 'whatever' },
      );
      assert.equal(answer.status, 401);
      assert.equal(answer.body.error, 'invalid_client');
    });
  });

  describe('prompt', () => {
    for (const prompt of ['consent', 'login', 'select_account', 'login consent']) {
      it(`accepts prompt=${prompt} and completes the login`, async () => {
        const { tokens } = await obtainTokens(proxy.baseUrl, { client, overrides: { prompt } });
        assert.equal(await mcpStatusWith(proxy.mcpUrl, tokens.access_token), 200);
      });
    }

    it('answers prompt=none with login_required, since every grant needs an upstream login', async () => {
      const login = await loginWith(
        authorizationUrl(proxy.baseUrl, client, createPkce(), { prompt: 'none', state: 'silent' }),
        client.redirect_uris[0] ?? '',
      );
      assert.equal(login.callback.searchParams.get('error'), 'login_required');
      assert.equal(login.callback.searchParams.get('state'), 'silent');
    });
  });

  describe('scope (MCP authorization §6; clients.md §5.1, §5.2)', () => {
    // req: A6.10
    it('works without a scope parameter and grants PROVIDER_SCOPE', async () => {
      const { tokens } = await obtainTokens(proxy.baseUrl, { client, overrides: { scope: undefined } });
      assert.deepEqual(tokens.scope?.split(' ').sort(), ['offline_access', 'openid']);
      assert.ok(tokens.refresh_token);
      assert.equal(await mcpStatusWith(proxy.mcpUrl, tokens.access_token), 200);
    });

    for (const scope of ['claudeai', 'read write']) {
      // req: A6.10
      it(`tolerates unknown scopes (scope=${scope}) and completes the login`, async () => {
        const { tokens } = await obtainTokens(proxy.baseUrl, { client, overrides: { scope } });
        for (const unknown of scope.split(' ')) assert.ok(!tokens.scope?.split(' ').includes(unknown));
        assert.ok(tokens.refresh_token);
        assert.equal(await mcpStatusWith(proxy.mcpUrl, tokens.access_token), 200);
      });
    }

    it('keeps the known scopes of a request that mixes known and unknown ones', async () => {
      const { tokens } = await obtainTokens(proxy.baseUrl, {
        client,
        overrides: { scope: 'openid claudeai' },
      });
      assert.equal(tokens.scope, 'openid');
    });

    it('issues a refresh token even when offline_access was not requested', async () => {
      const { tokens } = await obtainTokens(proxy.baseUrl, { client, overrides: { scope: 'openid' } });
      assert.ok(tokens.refresh_token);
    });
  });

  describe('resource (RFC 8707)', () => {
    // req: A3.2, A6.9
    it('binds the token to the MCP URL when the client names it, and the proxy accepts it', async () => {
      const { tokens } = await obtainTokens(proxy.baseUrl, { client, overrides: { resource: proxy.mcpUrl } });
      assert.equal(await mcpStatusWith(proxy.mcpUrl, tokens.access_token), 200);
    });

    // req: A6.9
    it('issues a token for the MCP URL when the client names no resource', async () => {
      const { tokens } = await obtainTokens(proxy.baseUrl, { client, overrides: { resource: undefined } });
      assert.equal(await mcpStatusWith(proxy.mcpUrl, tokens.access_token), 200);
    });

    // req: A6.9
    it('accepts the MCP URL with a trailing slash (as Claude.ai sends it), at /auth and /token', async () => {
      const resource = `${proxy.mcpUrl}/`;
      const pkce = createPkce();
      const login = await loginWith(
        authorizationUrl(proxy.baseUrl, client, pkce, { resource }),
        client.redirect_uris[0] ?? '',
      );
      assert.ok(login.code, login.callback.href);
      const exchange = await postForm(`${proxy.baseUrl}/token`, authenticationOf(client), {
        grant_type: 'authorization_code',
        code: login.code,
        redirect_uri: client.redirect_uris[0] ?? '',
        code_verifier: pkce.verifier,
        resource,
      });
      assert.equal(exchange.status, 200, JSON.stringify(exchange.body));
      assert.equal(await mcpStatusWith(proxy.mcpUrl, String(exchange.body.access_token)), 200);

      const refreshed = await postForm(`${proxy.baseUrl}/token`, authenticationOf(client), {
        grant_type: 'refresh_token',
        refresh_token: String(exchange.body.refresh_token),
      });
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
      assert.equal(await mcpStatusWith(proxy.mcpUrl, String(refreshed.body.access_token)), 200);
    });

    it('accepts an upper-case scheme and host for the MCP URL (RFC 3986 §6.2.2.1)', async () => {
      const url = new URL(proxy.mcpUrl);
      const resource = `HTTP://${url.host.toUpperCase()}${url.pathname}`;
      const { tokens } = await obtainTokens(proxy.baseUrl, { client, overrides: { resource } });
      assert.equal(await mcpStatusWith(proxy.mcpUrl, tokens.access_token), 200);
    });

    // req: A3.2, A6.9
    it('refuses a foreign resource with invalid_target, redirected with state and iss', async () => {
      for (const resource of [
        'https://evil.example/mcp',
        `${proxy.baseUrl}/other`,
        `${proxy.mcpUrl}?x=1`,
        'not a url',
      ]) {
        const response = await firstHop({ resource, state: 'foreign' });
        await assertErrorRedirect(response, 'invalid_target', 'foreign');
      }
    });

    it('refuses a foreign resource at the token endpoint too', async () => {
      const pkce = createPkce();
      const login = await loginWith(
        authorizationUrl(proxy.baseUrl, client, pkce),
        client.redirect_uris[0] ?? '',
      );
      const exchange = await postForm(`${proxy.baseUrl}/token`, authenticationOf(client), {
        grant_type: 'authorization_code',
        code: login.code ?? '',
        redirect_uri: client.redirect_uris[0] ?? '',
        code_verifier: pkce.verifier,
        resource: 'https://evil.example/mcp',
      });
      assert.equal(exchange.status, 400);
      assert.equal(exchange.body.error, 'invalid_target');
    });
  });

  describe('the authorization response', () => {
    // req: A6.7, A6.8
    it('returns code, state and iss with a 303 to the redirect URI (RFC 9207)', async () => {
      const login = await loginWith(
        authorizationUrl(proxy.baseUrl, client, createPkce(), { state: 'round-trip' }),
        client.redirect_uris[0] ?? '',
      );
      assert.ok(login.code);
      assert.equal(login.callback.searchParams.get('state'), 'round-trip');
      assert.equal(login.callback.searchParams.get('iss'), proxy.baseUrl);
      const last = login.agent.hops.at(-1);
      assert.ok(last?.status === 302 || last?.status === 303, `the last hop is ${last?.status}`);
    });

    it('logs no server error for any of these requests', () => {
      const serverErrors = proxy.logs.filter(
        (line) => line.event === 'oauth.server_error' || line.event === 'http.unhandled_error',
      );
      assert.deepEqual(serverErrors, []);
    });
  });
});
