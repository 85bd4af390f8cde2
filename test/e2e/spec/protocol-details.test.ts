/**
 * Requirements of the MCP authorization checklist that no other suite proves
 * on its own: the details real clients trip over.
 */
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
  postRegistration,
  readJson,
  registerClient,
  type RegisteredClient,
  type TokenAnswer,
} from '../../support/raw-oauth.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { initializeRaw } from '../proxy/proxy-steps.ts';

describe('protocol details', () => {
  let proxy: TestProxy;
  before(async () => {
    proxy = await startTestProxy();
  });
  after(async () => {
    await proxy.close();
  });

  // req: A7.4
  it('refuses a refresh that asks for more scope than was granted (RFC 6749 §6)', async () => {
    const { client, tokens } = await obtainTokens(proxy.baseUrl, { overrides: { scope: 'openid' } });
    assert.deepEqual(tokens.scope?.split(' '), ['openid']);
    const wider = await postForm<TokenAnswer>(`${proxy.baseUrl}/token`, authenticationOf(client), {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token ?? '',
      scope: 'openid offline_access',
    });
    assert.equal(wider.status, 400);
    assert.equal(wider.body.error, 'invalid_scope');
  });

  // req: A7.4
  it('advertises offline_access in the AS metadata and issues refresh tokens without it', async () => {
    const metadata = await readJson(await fetch(`${proxy.baseUrl}/.well-known/oauth-authorization-server`));
    assert.ok((metadata.body.scopes_supported as string[]).includes('offline_access'));
    const { tokens } = await obtainTokens(proxy.baseUrl, { overrides: { scope: undefined } });
    assert.ok(tokens.refresh_token);
  });

  // req: A5.3, A6.5
  it('registers a web client with a private-use scheme (Cursor) as native, so loopback ports are free', async () => {
    const answer = await postRegistration(proxy.baseUrl, {
      application_type: 'web',
      redirect_uris: ['cursor://anysphere.cursor-mcp/oauth/callback', 'http://localhost:8787/callback'],
      token_endpoint_auth_method: 'none',
    });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    assert.equal(answer.body.application_type, 'native');
    const client = answer.body as unknown as { client_id: string; redirect_uris: string[] };
    const login = await loginWith(
      authorizationUrl(proxy.baseUrl, client, createPkce(), {
        redirect_uri: 'http://localhost:9000/callback',
      }),
      'http://localhost:9000/callback',
    );
    assert.ok(login.code, login.callback.href);
  });

  // req: A5.3
  it('keeps a web client with only https redirect URIs web, matched exactly', async () => {
    const answer = await postRegistration(proxy.baseUrl, {
      application_type: 'web',
      redirect_uris: ['https://app.example/cb'],
      token_endpoint_auth_method: 'none',
    });
    assert.equal(answer.status, 201);
    assert.equal(answer.body.application_type, 'web');
  });

  // req: A3.7
  it('authenticates every request: a session id without a valid token gets the 401 challenge', async () => {
    const { tokens } = await obtainTokens(proxy.baseUrl);
    const initialize = await initializeRaw(proxy.mcpUrl, tokens.access_token);
    await initialize.arrayBuffer();
    const sessionId = initialize.headers.get('mcp-session-id');
    assert.ok(sessionId, 'the fixture is stateful');
    for (const authorization of [undefined, 'Bearer not-a-token']) {
      const response = await fetch(proxy.mcpUrl, {
        method: 'POST',
        headers: {
          ...(authorization === undefined ? {} : { authorization }),
          'mcp-session-id': sessionId,
          'mcp-protocol-version': '2025-11-25',
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
      });
      await response.arrayBuffer();
      assert.equal(response.status, 401);
      assert.match(response.headers.get('www-authenticate') ?? '', /resource_metadata=/);
    }
  });

  // req: A3.3
  it('refuses the user’s IdP token presented directly: only tokens it issued for its resource', async () => {
    const { idp } = proxy;
    const metadata = idp.metadata();
    const pkce = createPkce();
    const redirectUri = idp.redirectUris[0] ?? '';
    const authorize = new URL(String(metadata.authorization_endpoint));
    for (const [name, value] of Object.entries({
      client_id: idp.clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid',
      state: 'direct',
      nonce: 'direct',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    })) {
      authorize.searchParams.set(name, value);
    }
    const code = (await idp.authorizeAs(authorize, 'alice')).searchParams.get('code') ?? '';
    const exchange = await postForm<TokenAnswer>(
      String(metadata.token_endpoint),
      { method: 'client_secret_post', clientId: idp.clientId, clientSecret: idp.clientSecret },
      { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: pkce.verifier },
    );
    const idpToken = exchange.body.access_token ?? '';
    assert.ok(idp.isValidAccessToken(idpToken), JSON.stringify(exchange.body));
    assert.equal(await mcpStatusWith(proxy.mcpUrl, idpToken), 401);
  });

  // req: A1.8, A4.1
  it('serves a 2025-03-26 client that knows only the origin: root metadata and the default paths', async () => {
    const origin = new URL(proxy.mcpUrl).origin;
    const metadata = await readJson(
      await fetch(`${origin}/.well-known/oauth-authorization-server`, {
        headers: { 'mcp-protocol-version': '2025-03-26' },
      }),
    );
    assert.equal(metadata.status, 200);
    assert.equal(metadata.body.issuer, proxy.baseUrl);
    assert.equal(metadata.body.token_endpoint, `${origin}/token`);
    const registration = await postRegistration(
      origin,
      { redirect_uris: ['http://127.0.0.1:33418/callback'], token_endpoint_auth_method: 'none' },
      '/register',
    );
    assert.equal(registration.status, 201);
    const client = registration.body as unknown as RegisteredClient;
    const { tokens } = await obtainTokens(origin, { client, authorizationPath: '/authorize' });
    assert.equal(await mcpStatusWith(proxy.mcpUrl, tokens.access_token), 200);
  });

  // req: A6.7, A6.8
  it('returns state unchanged and iss, on success and on error', async () => {
    const client = await registerClient(proxy.baseUrl);
    const state = 'opaque/state+with=odd&chars';
    const success = await loginWith(
      authorizationUrl(proxy.baseUrl, client, createPkce(), { state }),
      client.redirect_uris[0] ?? '',
    );
    assert.equal(success.callback.searchParams.get('state'), state);
    assert.equal(success.callback.searchParams.get('iss'), proxy.baseUrl);
    const failure = await fetch(
      authorizationUrl(proxy.baseUrl, client, createPkce(), { state, code_challenge_method: 'plain' }),
      { redirect: 'manual' },
    );
    await failure.arrayBuffer();
    const location = new URL(failure.headers.get('location') ?? '', proxy.baseUrl);
    assert.ok(location.searchParams.get('error'));
    assert.equal(location.searchParams.get('state'), state);
    assert.equal(location.searchParams.get('iss'), proxy.baseUrl);
  });
});
