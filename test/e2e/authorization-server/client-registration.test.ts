import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  authenticationOf,
  authorizationUrl,
  createPkce,
  LOOPBACK_REDIRECT_URI,
  loginWith,
  mcpStatusWith,
  obtainTokens,
  postForm,
  postRegistration,
  readJson,
  registerClient,
  type RegisteredClient,
} from '../../support/raw-oauth.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';

/** What every refusal must look like: a 4xx OAuth JSON error, never a 500 or a stack trace. */
async function assertOAuthRefusal(
  response: Response,
  expectedError?: string,
): Promise<Record<string, unknown>> {
  const text = await response.text();
  assert.ok(response.status >= 400 && response.status < 500, `expected 4xx, got ${response.status}: ${text}`);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const body = JSON.parse(text) as Record<string, unknown>;
  assert.equal(typeof body.error, 'string');
  if (expectedError !== undefined) assert.equal(body.error, expectedError, text);
  assert.doesNotMatch(text, /\bat [\w.<>]+ \(|node:internal|\.js:\d+:\d+|\.ts:\d+:\d+/, 'no stack trace');
  return body;
}

function postRaw(baseUrl: string, body: string | Uint8Array, contentType: string): Promise<Response> {
  return fetch(`${baseUrl}/reg`, { method: 'POST', headers: { 'content-type': contentType }, body });
}

describe('dynamic client registration (RFC 7591)', () => {
  let proxy: TestProxy;
  before(async () => {
    proxy = await startTestProxy();
  });
  after(async () => {
    await proxy.close();
  });

  // req: A5.2, A6.1
  it('registers a public client (none): 201, a client_id, no secret', async () => {
    const answer = await postRegistration(proxy.baseUrl, {
      client_name: 'Public',
      redirect_uris: [LOOPBACK_REDIRECT_URI],
      token_endpoint_auth_method: 'none',
    });
    assert.equal(answer.status, 201);
    assert.equal(typeof answer.body.client_id, 'string');
    assert.equal(answer.body.client_secret, undefined);
    assert.equal(answer.body.token_endpoint_auth_method, 'none');
    assert.deepEqual(answer.body.redirect_uris, [LOOPBACK_REDIRECT_URI]);
  });

  // req: A6.1
  it('registers a confidential client with a secret that works at the token endpoint', async () => {
    const answer = await postRegistration(proxy.baseUrl, { redirect_uris: [LOOPBACK_REDIRECT_URI] });
    assert.equal(answer.status, 201);
    assert.equal(answer.body.token_endpoint_auth_method, 'client_secret_basic');
    assert.equal(typeof answer.body.client_secret, 'string');
    const client = answer.body as unknown as RegisteredClient;
    const { tokens } = await obtainTokens(proxy.baseUrl, { client });
    assert.equal(await mcpStatusWith(proxy.mcpUrl, tokens.access_token), 200);

    const wrongSecret = await postForm(
      `${proxy.baseUrl}/token`,
      { method: 'client_secret_basic', clientId: client.client_id, clientSecret: 'not-the-secret' },
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' },
    );
    assert.equal(wrongSecret.status, 401);
    assert.equal(wrongSecret.body.error, 'invalid_client');
  });

  it('defaults response_types to ["code"] and grant types to code + refresh when omitted', async () => {
    const answer = await postRegistration(proxy.baseUrl, {
      redirect_uris: [LOOPBACK_REDIRECT_URI],
      token_endpoint_auth_method: 'none',
    });
    assert.equal(answer.status, 201);
    assert.deepEqual(answer.body.response_types, ['code']);
    assert.deepEqual(answer.body.grant_types, ['authorization_code', 'refresh_token']);
    assert.equal(answer.body.application_type, 'native');
  });

  // req: A6.4
  it('accepts private-use scheme redirect URIs of desktop clients (Cursor, VS Code)', async () => {
    for (const redirectUri of [
      'cursor://anysphere.cursor-mcp/oauth/callback',
      'vscode://vscode.github-authentication/did-authenticate',
    ]) {
      const answer = await postRegistration(proxy.baseUrl, {
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: 'none',
      });
      assert.equal(answer.status, 201, `${redirectUri}: ${JSON.stringify(answer.body)}`);
      assert.deepEqual(answer.body.redirect_uris, [redirectUri]);
    }
  });

  it('accepts the mixed lists real clients send: a custom scheme, loopback and claimed https', async () => {
    const redirectUris = [
      'cursor://anysphere.cursor-mcp/oauth/callback',
      'http://localhost:8787/callback',
      'https://vscode.dev/redirect',
      'http://127.0.0.1/',
      'https://claude.ai/api/mcp/auth_callback',
    ];
    const answer = await postRegistration(proxy.baseUrl, {
      redirect_uris: redirectUris,
      token_endpoint_auth_method: 'none',
    });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
  });

  it('sends the browser to a private-use scheme redirect URI with the code', async () => {
    const client = await registerClient(proxy.baseUrl, {
      redirect_uris: ['cursor://anysphere.cursor-mcp/oauth/callback'],
    });
    const pkce = createPkce();
    const login = await loginWith(
      authorizationUrl(proxy.baseUrl, client, pkce),
      'cursor://anysphere.cursor-mcp/oauth/callback',
    );
    assert.equal(login.callback.protocol, 'cursor:');
    assert.ok(login.code);
    const exchange = await postForm(`${proxy.baseUrl}/token`, authenticationOf(client), {
      grant_type: 'authorization_code',
      code: login.code,
      redirect_uri: 'cursor://anysphere.cursor-mcp/oauth/callback',
      code_verifier: pkce.verifier,
    });
    assert.equal(exchange.status, 200);
  });

  // req: A6.4
  it('refuses javascript:, data:, file: (and friends) with invalid_redirect_uri', async () => {
    for (const redirectUri of [
      'javascript:alert(1)',
      'data:text/html,hi',
      'file:///etc/passwd',
      'vbscript:msgbox(1)',
    ]) {
      const response = await postRaw(
        proxy.baseUrl,
        JSON.stringify({ redirect_uris: [redirectUri], token_endpoint_auth_method: 'none' }),
        'application/json',
      );
      assert.equal(response.status, 400, redirectUri);
      await assertOAuthRefusal(response, 'invalid_redirect_uri');
    }
  });

  // req: A6.4
  it('refuses plain http redirect URIs that are not loopback, whatever the application type, and fragments', async () => {
    for (const applicationType of ['native', 'web']) {
      for (const redirectUri of [
        'http://evil.example/callback',
        'http://192.168.1.10/cb',
        'https://app.example/cb#frag',
      ]) {
        const response = await postRaw(
          proxy.baseUrl,
          JSON.stringify({
            application_type: applicationType,
            redirect_uris: [redirectUri],
            token_endpoint_auth_method: 'none',
          }),
          'application/json',
        );
        assert.equal(response.status, 400, `${applicationType} ${redirectUri}`);
        await assertOAuthRefusal(response, 'invalid_redirect_uri');
      }
    }
  });

  it('accepts a web client with https and loopback http redirect URIs', async () => {
    const answer = await postRegistration(proxy.baseUrl, {
      application_type: 'web',
      redirect_uris: ['https://app.example/cb', 'http://localhost:6274/oauth/callback'],
      token_endpoint_auth_method: 'none',
    });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
  });

  it('refuses client-supplied internal fields (identityLoginConfirmed) with invalid_client_metadata', async () => {
    for (const field of [
      { identityLoginConfirmed: true },
      { identityLoginConfirmed: false },
      { identityAuthAccessToken: 'x' },
    ]) {
      for (const path of ['/reg', '/register']) {
        const response = await fetch(proxy.baseUrl + path, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            redirect_uris: [LOOPBACK_REDIRECT_URI],
            token_endpoint_auth_method: 'none',
            ...field,
          }),
        });
        assert.equal(response.status, 400);
        await assertOAuthRefusal(response, 'invalid_client_metadata');
      }
    }
  });

  // req: A8.1
  it('shows the confirmation page to a new client however it registered (nothing skips it)', async () => {
    const client = await registerClient(proxy.baseUrl, { client_name: 'Claims To Be Confirmed' });
    const login = await loginWith(
      authorizationUrl(proxy.baseUrl, client, createPkce()),
      client.redirect_uris[0] ?? '',
      'alice',
      new UserAgent(),
    );
    assert.equal(login.confirmationShown, true);
    assert.ok(login.code);
  });

  it('answers malformed JSON, wrong types and JSON that is not an object with a 400 OAuth error', async () => {
    const cases: Array<[string, string, string | undefined]> = [
      ['{"redirect_uris": [', 'application/json', 'invalid_request'],
      ['[1,2]', 'application/json', 'invalid_request'],
      ['null', 'application/json', 'invalid_request'],
      ['"text"', 'application/json', 'invalid_request'],
      [JSON.stringify({ redirect_uris: 'x' }), 'application/json', 'invalid_redirect_uri'],
      [JSON.stringify({ redirect_uris: [42] }), 'application/json', undefined],
      [
        JSON.stringify({ redirect_uris: [LOOPBACK_REDIRECT_URI], client_name: 42 }),
        'application/json',
        'invalid_client_metadata',
      ],
      [
        JSON.stringify({ redirect_uris: [LOOPBACK_REDIRECT_URI], grant_types: 'authorization_code' }),
        'application/json',
        'invalid_client_metadata',
      ],
      [
        JSON.stringify({ redirect_uris: [LOOPBACK_REDIRECT_URI], response_types: ['token'] }),
        'application/json',
        'invalid_client_metadata',
      ],
      [
        JSON.stringify({
          redirect_uris: [LOOPBACK_REDIRECT_URI],
          token_endpoint_auth_method: 'client_secret_jwt',
        }),
        'application/json',
        'invalid_client_metadata',
      ],
      [JSON.stringify({ redirect_uris: [] }), 'application/json', 'invalid_redirect_uri'],
      [JSON.stringify({}), 'application/json', 'invalid_redirect_uri'],
    ];
    for (const [body, contentType, expected] of cases) {
      const response = await postRaw(proxy.baseUrl, body, contentType);
      assert.equal(response.status, 400, body);
      await assertOAuthRefusal(response, expected);
    }
  });

  it('refuses a non-JSON content type with a 4xx OAuth error', async () => {
    const json = JSON.stringify({
      redirect_uris: [LOOPBACK_REDIRECT_URI],
      token_endpoint_auth_method: 'none',
    });
    for (const contentType of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      await assertOAuthRefusal(await postRaw(proxy.baseUrl, json, contentType), 'invalid_request');
    }
  });

  it('refuses a 2 MiB registration with a 4xx OAuth error and stays up', async () => {
    const huge = JSON.stringify({
      redirect_uris: [LOOPBACK_REDIRECT_URI],
      client_name: 'x'.repeat(2 * 1024 * 1024),
    });
    await assertOAuthRefusal(await postRaw(proxy.baseUrl, huge, 'application/json'));
    const next = await postRegistration(proxy.baseUrl, {
      redirect_uris: [LOOPBACK_REDIRECT_URI],
      token_endpoint_auth_method: 'none',
    });
    assert.equal(next.status, 201);
  });

  it('logs no server error for any refused registration', () => {
    const serverErrors = proxy.logs.filter(
      (line) => line.event === 'oauth.server_error' || line.event === 'http.unhandled_error',
    );
    assert.deepEqual(serverErrors, []);
  });

  it('offers no way to read or change a registration (no registration access token is issued)', async () => {
    const client = await registerClient(proxy.baseUrl);
    assert.equal(client.registration_access_token, undefined);
    assert.equal(client.registration_client_uri, undefined);
    const read = await readJson(await fetch(`${proxy.baseUrl}/reg/${client.client_id}`));
    assert.ok(read.status === 400 || read.status === 401, `got ${read.status}`);
  });
});

describe('loopback redirect URIs of native clients (RFC 8252 §7.3)', () => {
  let proxy: TestProxy;
  before(async () => {
    proxy = await startTestProxy();
  });
  after(async () => {
    await proxy.close();
  });

  /** Logs in with `redirectUri` at /auth and exchanges the code with `tokenRedirectUri` (default: the same). */
  async function loginAndExchange(
    client: RegisteredClient,
    redirectUri: string,
    tokenRedirectUri = redirectUri,
  ) {
    const pkce = createPkce();
    const login = await loginWith(
      authorizationUrl(proxy.baseUrl, client, pkce, { redirect_uri: redirectUri }),
      redirectUri,
    );
    assert.ok(login.code, `no code: ${login.callback.href}`);
    assert.equal(
      new URL(redirectUri).port,
      login.callback.port,
      'the browser goes to the port of the request',
    );
    return await postForm(`${proxy.baseUrl}/token`, authenticationOf(client), {
      grant_type: 'authorization_code',
      code: login.code,
      redirect_uri: tokenRedirectUri,
      code_verifier: pkce.verifier,
    });
  }

  // req: A6.5
  it('accepts any port for a loopback URI registered without one', async () => {
    const client = await registerClient(proxy.baseUrl, { redirect_uris: ['http://127.0.0.1/callback'] });
    const exchange = await loginAndExchange(client, 'http://127.0.0.1:54321/callback');
    assert.equal(exchange.status, 200);
  });

  it('accepts another port than the one registered (VS Code and mcp-remote pick a free one)', async () => {
    for (const [registered, requested] of [
      ['http://127.0.0.1:33418/callback', 'http://127.0.0.1:40001/callback'],
      ['http://localhost:3334/oauth/callback', 'http://localhost:3999/oauth/callback'],
      ['http://[::1]:1000/cb', 'http://[::1]:2000/cb'],
    ] as const) {
      const client = await registerClient(proxy.baseUrl, { redirect_uris: [registered] });
      const exchange = await loginAndExchange(client, requested);
      assert.equal(exchange.status, 200, `${registered} -> ${requested}: ${JSON.stringify(exchange.body)}`);
    }
  });

  // req: A7.1
  it('still requires the token request to repeat the redirect URI used at /auth, port included', async () => {
    const client = await registerClient(proxy.baseUrl, { redirect_uris: ['http://127.0.0.1/callback'] });
    const exchange = await loginAndExchange(
      client,
      'http://127.0.0.1:54321/callback',
      'http://127.0.0.1/callback',
    );
    assert.equal(exchange.status, 400);
    assert.equal(exchange.body.error, 'invalid_grant');
  });

  // req: A6.5, A8.5
  it('matches everything but the port exactly: another path or host is refused without a redirect', async () => {
    const client = await registerClient(proxy.baseUrl, {
      redirect_uris: ['http://127.0.0.1:33418/callback'],
    });
    for (const redirectUri of [
      'http://127.0.0.1:40001/other',
      'http://127.0.0.2:33418/callback',
      'https://127.0.0.1:33418/callback',
    ]) {
      const response = await fetch(
        authorizationUrl(proxy.baseUrl, client, createPkce(), { redirect_uri: redirectUri }),
        {
          redirect: 'manual',
        },
      );
      await response.arrayBuffer();
      assert.equal(response.status, 400, redirectUri);
      assert.equal(response.headers.get('location'), null);
    }
  });

  // req: A6.5, A8.5
  it('matches claimed https redirect URIs exactly, port included', async () => {
    const client = await registerClient(proxy.baseUrl, { redirect_uris: ['https://app.example/cb'] });
    const response = await fetch(
      authorizationUrl(proxy.baseUrl, client, createPkce(), { redirect_uri: 'https://app.example:8443/cb' }),
      { redirect: 'manual' },
    );
    await response.arrayBuffer();
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
  });
});
