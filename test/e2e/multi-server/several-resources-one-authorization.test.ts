/**
 * RFC 8707 §2 with several MCP servers behind one proxy: an authorization
 * request may name several resources; the grant covers each, and the code or
 * a refresh token is then exchanged with `resource=<one of them>` for a token
 * narrowed to that server. Raw OAuth requests, since the SDK names one
 * resource per authorization.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeIdp, type FakeIdp } from '../../support/fake-idp.ts';
import type { McpFixtureServer } from '../../support/mcp-fixture-server.ts';
import {
  authenticationOf,
  authorizationUrl,
  createPkce,
  loginWith,
  mcpStatusWith,
  obtainTokens,
  postForm,
  registerClient,
  type TokenAnswer,
} from '../../support/raw-oauth.ts';
import {
  startIdpCheckedFixture,
  startTestProxy,
  type MultiServerTestProxy,
} from '../../support/test-proxy.ts';

describe('one authorization for several resources (RFC 8707 §2)', () => {
  let idp: FakeIdp;
  const fixtures: McpFixtureServer[] = [];
  let proxy: MultiServerTestProxy;
  let alpha: string;
  let beta: string;

  before(async () => {
    idp = await startFakeIdp({ mode: 'oidc' });
    for (let started = 0; started < 2; started += 1) fixtures.push(await startIdpCheckedFixture(idp));
    const [alphaFixture, betaFixture] = fixtures;
    proxy = await startTestProxy({
      idp,
      serversFile: {
        servers: [
          { id: 'alpha', path: '/alpha/mcp', url: alphaFixture?.url },
          { id: 'beta', path: '/beta/mcp', url: betaFixture?.url },
        ],
      },
    });
    alpha = proxy.urlOf('alpha');
    beta = proxy.urlOf('beta');
  });
  after(async () => {
    await proxy?.close();
    for (const fixture of fixtures) await fixture.close();
    await idp?.close();
  });

  /** Registers a client and signs alice in for these resources; returns what the code exchange needs. */
  async function authorizeFor(resources: readonly string[]) {
    const client = await registerClient(proxy.baseUrl);
    const pkce = createPkce();
    const url = authorizationUrl(proxy.baseUrl, client, pkce, { scope: 'openid offline_access' });
    for (const resource of resources) url.searchParams.append('resource', resource);
    const redirectUri = client.redirect_uris[0] ?? '';
    const login = await loginWith(url, redirectUri);
    assert.ok(login.code, `no code: ${login.callback.href}`);
    const auth = authenticationOf(client);
    const exchange = (resource: string) =>
      postForm<TokenAnswer>(`${proxy.baseUrl}/token`, auth, {
        grant_type: 'authorization_code',
        code: login.code ?? '',
        redirect_uri: redirectUri,
        code_verifier: pkce.verifier,
        resource,
      });
    return { auth, exchange };
  }

  // req: A6.9
  it('exchanges the code for one resource and refreshes for the other; each token works at its own server only', async () => {
    const { auth, exchange } = await authorizeFor([alpha, beta]);
    const forAlpha = await exchange(alpha);
    assert.equal(forAlpha.status, 200, JSON.stringify(forAlpha.body));
    const alphaToken = forAlpha.body.access_token ?? '';
    assert.ok(forAlpha.body.refresh_token, 'offline_access: a refresh token');

    const forBeta = await postForm<TokenAnswer>(`${proxy.baseUrl}/token`, auth, {
      grant_type: 'refresh_token',
      refresh_token: forAlpha.body.refresh_token ?? '',
      resource: beta,
    });
    assert.equal(forBeta.status, 200, JSON.stringify(forBeta.body));
    const betaToken = forBeta.body.access_token ?? '';

    assert.equal(await mcpStatusWith(alpha, alphaToken), 200, 'the alpha token at alpha');
    assert.equal(await mcpStatusWith(beta, betaToken), 200, 'the beta token at beta');
    assert.equal(await mcpStatusWith(beta, alphaToken), 401, 'the alpha token at beta');
    assert.equal(await mcpStatusWith(alpha, betaToken), 401, 'the beta token at alpha');
  });

  // req: A6.9
  it('refuses to exchange a code for a resource the authorization did not name, with invalid_target', async () => {
    const { exchange } = await authorizeFor([alpha]);
    const refused = await exchange(beta);
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.equal(refused.body.error, 'invalid_target');
  });

  // req: A6.9
  it('gives a client that names no resource a token for the first server', async () => {
    const { tokens } = await obtainTokens(proxy.baseUrl);
    assert.equal(await mcpStatusWith(alpha, tokens.access_token), 200);
    assert.equal(await mcpStatusWith(beta, tokens.access_token), 401);
  });
});
