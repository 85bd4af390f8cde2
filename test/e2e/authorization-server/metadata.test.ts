import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../support/free-port.ts';
import { startMcpFixtureServer, type McpFixtureServer } from '../../support/mcp-fixture-server.ts';
import {
  authorizationUrl,
  createPkce,
  loginWith,
  mcpStatusWith,
  obtainTokens,
  postRegistration,
  readJson,
  registerClient,
} from '../../support/raw-oauth.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';

type Metadata = Record<string, unknown>;

async function getJson(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; headers: Headers; body: Metadata }> {
  return await readJson<Metadata>(await fetch(url, { ...init, redirect: 'manual' }));
}

describe('authorization server metadata (RFC 8414, OpenID discovery)', () => {
  let proxy: TestProxy;
  let metadata: Metadata;
  before(async () => {
    proxy = await startTestProxy();
    const answer = await getJson(`${proxy.baseUrl}/.well-known/oauth-authorization-server`);
    assert.equal(answer.status, 200);
    metadata = answer.body;
  });
  after(async () => {
    await proxy.close();
  });

  // req: A4.2, A4.3
  it('serves the same document at oauth-authorization-server and openid-configuration', async () => {
    const openid = await getJson(`${proxy.baseUrl}/.well-known/openid-configuration`);
    assert.equal(openid.status, 200);
    assert.deepEqual(openid.body, metadata);
  });

  // req: A4.4, A4.5
  it('names BASE_URL as issuer, exactly, with no trailing slash (RFC 8414 §3.3)', () => {
    assert.equal(metadata.issuer, proxy.baseUrl);
    assert.ok(!String(metadata.issuer).endsWith('/'));
  });

  // req: A4.6, A6.3, A6.8
  it('advertises only what the server does: code, S256, iss in responses, revocation, the device grant', () => {
    assert.deepEqual(metadata.response_types_supported, ['code']);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    assert.equal(metadata.authorization_response_iss_parameter_supported, true);
    assert.deepEqual(metadata.grant_types_supported, [
      'authorization_code',
      'refresh_token',
      'urn:ietf:params:oauth:grant-type:device_code',
    ]);
    assert.equal(metadata.device_authorization_endpoint, `${proxy.baseUrl}/device/auth`);
    assert.equal(metadata.revocation_endpoint, `${proxy.baseUrl}/token/revocation`);
    assert.equal(metadata.registration_endpoint, `${proxy.baseUrl}/reg`);
    assert.deepEqual([...(metadata.token_endpoint_auth_methods_supported as string[])].sort(), [
      'client_secret_basic',
      'client_secret_post',
      'none',
    ]);
    // The MCP endpoint checks bearer tokens only, so sender-constrained tokens are not offered.
    assert.equal(metadata.dpop_signing_alg_values_supported, undefined);
    assert.equal(metadata.introspection_endpoint, undefined);
  });

  // req: A7.4
  it('lists offline_access in the AS scopes (it is where clients look for refresh support)', () => {
    assert.ok((metadata.scopes_supported as string[]).includes('offline_access'));
  });

  it('answers every advertised endpoint at its advertised URL, never with a 404 or a 5xx', async () => {
    const probes: Array<[string, RequestInit]> = [
      ['authorization_endpoint', { method: 'GET' }],
      [
        'token_endpoint',
        { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' },
      ],
      [
        'registration_endpoint',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' },
      ],
      [
        'revocation_endpoint',
        { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' },
      ],
      ['jwks_uri', { method: 'GET' }],
      [
        'device_authorization_endpoint',
        { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' },
      ],
      ['userinfo_endpoint', { method: 'GET' }],
      ['end_session_endpoint', { method: 'GET' }],
      [
        'pushed_authorization_request_endpoint',
        { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' },
      ],
    ];
    const advertised = Object.keys(metadata).filter((key) => key.endsWith('_endpoint') || key === 'jwks_uri');
    assert.deepEqual(
      advertised.sort(),
      probes.map(([key]) => key).sort(),
      'every advertised endpoint is probed',
    );
    for (const [key, init] of probes) {
      const url = metadata[key];
      assert.equal(typeof url, 'string', key);
      assert.ok(String(url).startsWith(`${proxy.baseUrl}/`), `${key} is on this server`);
      const response = await fetch(String(url), { ...init, redirect: 'manual' });
      await response.arrayBuffer();
      assert.notEqual(response.status, 404, `${key} ${init.method} ${String(url)}`);
      assert.ok(response.status < 500, `${key} answered ${response.status}`);
    }
  });

  it('publishes the public key that signs id_tokens, and no private key material', async () => {
    const jwks = await getJson(String(metadata.jwks_uri));
    const keys = jwks.body.keys as Array<Record<string, unknown>>;
    for (const key of keys) assert.equal(key.d, undefined, 'no private key material is published');
    const { tokens } = await obtainTokens(proxy.baseUrl);
    const header = JSON.parse(
      Buffer.from(String(tokens.id_token).split('.')[0] ?? '', 'base64url').toString(),
    ) as Metadata;
    assert.ok(
      keys.some((key) => key.kid === header.kid && key.alg === header.alg),
      'the signing key is published',
    );
  });

  it('answers a wrong method on an endpoint with a JSON 405 naming the allowed methods', async () => {
    for (const [path, method, allow] of [
      ['/token', 'GET', 'POST'],
      ['/reg', 'GET', 'POST'],
      ['/auth', 'POST', 'GET, HEAD'],
      ['/.well-known/oauth-authorization-server', 'POST', 'GET, HEAD'],
    ] as const) {
      const answer = await getJson(proxy.baseUrl + path, { method });
      assert.equal(answer.status, 405, `${method} ${path}`);
      assert.equal(answer.body.error, 'method_not_allowed');
      assert.equal(answer.headers.get('allow'), allow);
    }
  });

  // req: A2.8, A4.1
  it('lets browser clients read the metadata cross-origin', async () => {
    const response = await fetch(`${proxy.baseUrl}/.well-known/oauth-authorization-server`, {
      headers: { origin: 'https://inspector.example' },
    });
    await response.arrayBuffer();
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
  });
});

describe('protected resource metadata (RFC 9728)', () => {
  let proxy: TestProxy;
  before(async () => {
    proxy = await startTestProxy();
  });
  after(async () => {
    await proxy.close();
  });

  // req: A1.1, A1.3, A1.4
  it('serves the same document at the root and at the path-suffixed well-known URL', async () => {
    const root = await getJson(`${proxy.baseUrl}/.well-known/oauth-protected-resource`);
    const suffixed = await getJson(`${proxy.baseUrl}/.well-known/oauth-protected-resource/mcp`);
    assert.equal(root.status, 200);
    assert.equal(suffixed.status, 200);
    assert.deepEqual(root.body, suffixed.body);
    assert.equal(root.headers.get('access-control-allow-origin'), '*');
  });

  // req: A1.2, A1.5, A4.5
  it('names the MCP URL as resource and this server, spelled as its issuer, as authorization server', async () => {
    const { body } = await getJson(`${proxy.baseUrl}/.well-known/oauth-protected-resource/mcp`);
    const issuer = (await getJson(`${proxy.baseUrl}/.well-known/oauth-authorization-server`)).body.issuer;
    assert.equal(body.resource, `${proxy.baseUrl}/mcp`);
    assert.equal(body.resource, proxy.mcpUrl);
    assert.deepEqual(body.authorization_servers, [issuer]);
    assert.deepEqual(body.bearer_methods_supported, ['header']);
  });

  // req: A1.6, A1.7
  it('leaves offline_access out of the resource scopes (it is an AS matter)', async () => {
    const { body } = await getJson(`${proxy.baseUrl}/.well-known/oauth-protected-resource`);
    const scopes = body.scopes_supported as string[];
    assert.ok(Array.isArray(scopes));
    assert.ok(!scopes.includes('offline_access'));
  });

  // req: A1.3
  it('points the MCP endpoint challenge at the path-suffixed metadata', async () => {
    const response = await fetch(proxy.mcpUrl, { method: 'POST' });
    await response.arrayBuffer();
    assert.equal(response.status, 401);
    assert.match(
      response.headers.get('www-authenticate') ?? '',
      new RegExp(`resource_metadata="${proxy.baseUrl}/\\.well-known/oauth-protected-resource/mcp"`),
    );
  });
});

describe('an MCP server mounted at a path other than /mcp', () => {
  const MOUNT_PATH = '/api/v2/tools';
  let fixture: McpFixtureServer;
  let proxy: TestProxy;
  before(async () => {
    fixture = await startMcpFixtureServer({ stateful: true, validateToken: () => ({ user: 'anyone' }) });
    proxy = await startTestProxy({
      mcp: fixture,
      env: { MCP_SERVER_URL: `${new URL(fixture.url).origin}${MOUNT_PATH}` },
    });
  });
  after(async () => {
    await proxy.close();
    await fixture.close();
  });

  // req: A1.4, A1.5
  it('serves the metadata for BASE_URL + that path, at the root and at the path-suffixed URL', async () => {
    const root = await getJson(`${proxy.baseUrl}/.well-known/oauth-protected-resource`);
    const suffixed = await getJson(`${proxy.baseUrl}/.well-known/oauth-protected-resource${MOUNT_PATH}`);
    assert.equal(root.body.resource, `${proxy.baseUrl}${MOUNT_PATH}`);
    assert.deepEqual(suffixed.body, root.body);
    const stale = await getJson(`${proxy.baseUrl}/.well-known/oauth-protected-resource/mcp`);
    assert.equal(stale.status, 404);
    assert.equal(stale.body.error, 'not_found');
  });

  // req: A3.2, A6.9
  it('issues tokens for that resource and refuses /mcp as a foreign resource', async () => {
    const client = await registerClient(proxy.baseUrl);
    const { tokens } = await obtainTokens(proxy.baseUrl, {
      client,
      overrides: { resource: `${proxy.baseUrl}${MOUNT_PATH}` },
    });
    // The fixture serves /mcp only, so it answers 404; what matters is that the proxy let the token through.
    assert.notEqual(await mcpStatusWith(proxy.mcpUrl, tokens.access_token), 401);

    const login = await loginWith(
      authorizationUrl(proxy.baseUrl, client, createPkce(), {
        resource: `${proxy.baseUrl}/mcp`,
        state: 's1',
      }),
      client.redirect_uris[0] ?? '',
    );
    assert.equal(login.callback.searchParams.get('error'), 'invalid_target');
    assert.equal(login.callback.searchParams.get('state'), 's1');
  });
});

describe('issuer spelling', () => {
  // req: A4.5
  it('drops a trailing slash from BASE_URL, so issuer and PRM authorization_servers match exactly', async (t) => {
    const port = await freePort();
    const proxy = await startTestProxy({ port, env: { BASE_URL: `http://127.0.0.1:${port}/` } });
    t.after(() => proxy.close());
    const metadata = await getJson(`http://127.0.0.1:${port}/.well-known/oauth-authorization-server`);
    const prm = await getJson(`http://127.0.0.1:${port}/.well-known/oauth-protected-resource`);
    assert.equal(metadata.body.issuer, `http://127.0.0.1:${port}`);
    assert.deepEqual(prm.body.authorization_servers, [metadata.body.issuer]);
    assert.equal(metadata.body.authorization_endpoint, `http://127.0.0.1:${port}/auth`);
  });
});

describe('routes outside the metadata', () => {
  let proxy: TestProxy;
  before(async () => {
    proxy = await startTestProxy();
  });
  after(async () => {
    await proxy.close();
  });

  it('answers unknown paths with a JSON 404, including well-known URLs it does not serve', async () => {
    for (const path of [
      '/nope',
      '/.well-known/unknown',
      '/auth/a/b',
      '/.well-known/oauth-authorization-server/mcp',
    ]) {
      const answer = await getJson(proxy.baseUrl + path);
      assert.equal(answer.status, 404, path);
      assert.equal(answer.body.error, 'not_found');
    }
  });

  // req: A1.8
  it('accepts registration at /register and authorization at /authorize (MCP 2025-03-26 fallback paths)', async () => {
    const registered = await postRegistration(
      proxy.baseUrl,
      { redirect_uris: ['http://127.0.0.1:33418/callback'], token_endpoint_auth_method: 'none' },
      '/register',
    );
    assert.equal(registered.status, 201);
    const client = {
      client_id: String(registered.body.client_id),
      redirect_uris: ['http://127.0.0.1:33418/callback'],
    };
    const { tokens } = await obtainTokens(proxy.baseUrl, {
      client: { ...client, token_endpoint_auth_method: 'none' },
      authorizationPath: '/authorize',
    });
    assert.equal(await mcpStatusWith(proxy.mcpUrl, tokens.access_token), 200);
  });
});
