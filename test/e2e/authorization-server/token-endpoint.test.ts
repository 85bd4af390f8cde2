import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import {
  authenticationOf,
  authorizationUrl,
  createPkce,
  loginWith,
  mcpStatusWith,
  obtainTokens,
  postForm,
  readJson,
  registerClient,
  type ClientAuthentication,
  type RegisteredClient,
  type TokenAnswer,
  type TokenSet,
} from '../../support/raw-oauth.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';

describe('the token endpoint', () => {
  let proxy: TestProxy;
  let tokenUrl: string;
  before(async () => {
    // No reuse grace here: a replayed refresh token revokes at once. The grace window has its own
    // tests (test/e2e/spec/refresh-token-grace.test.ts).
    proxy = await startTestProxy({ env: { MCP_AUTH_PROXY_REFRESH_TOKEN_GRACE_SECONDS: '0' } });
    tokenUrl = `${proxy.baseUrl}/token`;
  });
  after(async () => {
    await proxy.close();
  });

  /** A fresh authorization code for `client`, with its PKCE verifier. */
  async function authorizationCode(
    client: RegisteredClient,
  ): Promise<{ code: string; verifier: string; redirectUri: string }> {
    const pkce = createPkce();
    const redirectUri = client.redirect_uris[0] ?? '';
    const login = await loginWith(authorizationUrl(proxy.baseUrl, client, pkce), redirectUri);
    assert.ok(login.code, login.callback.href);
    return { code: login.code, verifier: pkce.verifier, redirectUri };
  }

  function refresh(auth: ClientAuthentication, refreshToken: string) {
    return postForm<TokenAnswer>(tokenUrl, auth, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
  }

  describe('client authentication (token_endpoint_auth_methods_supported)', () => {
    for (const method of ['none', 'client_secret_basic', 'client_secret_post'] as const) {
      // req: A6.1
      it(`issues tokens to a client registered with ${method}, authenticating that way`, async () => {
        const client = await registerClient(proxy.baseUrl, { token_endpoint_auth_method: method });
        assert.equal(client.token_endpoint_auth_method, method);
        const { tokens } = await obtainTokens(proxy.baseUrl, { client });
        assert.equal(await mcpStatusWith(proxy.mcpUrl, tokens.access_token), 200);
        const refreshed = await refresh(authenticationOf(client), tokens.refresh_token ?? '');
        assert.equal(refreshed.status, 200);
      });
    }

    it('accepts the secret in the body or in the header whichever secret method was registered', async () => {
      // oidc-provider treats client_secret_basic and client_secret_post as one family: both carry the
      // same secret, so neither is weaker, and clients that pick the other form still work.
      const client = await registerClient(proxy.baseUrl, {
        token_endpoint_auth_method: 'client_secret_basic',
      });
      const { tokens } = await obtainTokens(proxy.baseUrl, { client });
      const viaPost = await refresh(
        {
          method: 'client_secret_post',
          clientId: client.client_id,
          clientSecret: client.client_secret ?? '',
        },
        tokens.refresh_token ?? '',
      );
      assert.equal(viaPost.status, 200);
    });

    it('advertises exactly the methods that work', async () => {
      const metadata = await readJson(await fetch(`${proxy.baseUrl}/.well-known/oauth-authorization-server`));
      assert.deepEqual([...(metadata.body.token_endpoint_auth_methods_supported as string[])].sort(), [
        'client_secret_basic',
        'client_secret_post',
        'none',
      ]);
    });

    it('refuses to register an unlisted method (client_secret_jwt, private_key_jwt, tls_client_auth)', async () => {
      for (const method of ['client_secret_jwt', 'private_key_jwt', 'tls_client_auth']) {
        const response = await fetch(`${proxy.baseUrl}/reg`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            redirect_uris: ['http://127.0.0.1:33418/callback'],
            token_endpoint_auth_method: method,
          }),
        });
        const answer = await readJson(response);
        assert.equal(answer.status, 400, method);
        assert.equal(answer.body.error, 'invalid_client_metadata');
      }
    });

    it('refuses an unlisted method at the token endpoint (a client assertion)', async () => {
      const client = await registerClient(proxy.baseUrl, {
        token_endpoint_auth_method: 'client_secret_basic',
      });
      const response = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: 'x',
          client_id: client.client_id,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: 'e30.e30.sig',
        }),
      });
      const answer = await readJson(response);
      assert.equal(answer.status, 401);
      assert.equal(answer.body.error, 'invalid_client');
    });

    it('refuses a confidential client that presents no secret', async () => {
      const client = await registerClient(proxy.baseUrl, {
        token_endpoint_auth_method: 'client_secret_post',
      });
      const { code, verifier, redirectUri } = await authorizationCode(client);
      const answer = await postForm(
        tokenUrl,
        { method: 'none', clientId: client.client_id },
        {
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri,
          code_verifier: verifier,
        },
      );
      assert.equal(answer.status, 401);
      assert.equal(answer.body.error, 'invalid_client');
    });
  });

  describe('authorization code grant', () => {
    // req: A7.2
    it('answers with Cache-Control: no-store and a Bearer token (RFC 6749 §5.1)', async () => {
      const { response, tokens } = await obtainTokens(proxy.baseUrl);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.equal(tokens.token_type, 'Bearer');
      assert.ok(tokens.expires_in > 0);
    });

    // req: A6.3, A7.1
    it('refuses a wrong code_verifier with invalid_grant', async () => {
      const client = await registerClient(proxy.baseUrl);
      const { code, redirectUri } = await authorizationCode(client);
      const answer = await postForm(tokenUrl, authenticationOf(client), {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: createPkce().verifier,
      });
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error, 'invalid_grant');
      assert.equal(answer.body.access_token, undefined);
    });

    it('refuses a missing code_verifier with an OAuth error', async () => {
      const client = await registerClient(proxy.baseUrl);
      const { code, redirectUri } = await authorizationCode(client);
      const answer = await postForm(tokenUrl, authenticationOf(client), {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
      });
      assert.equal(answer.status, 400);
      assert.ok(answer.body.error === 'invalid_grant' || answer.body.error === 'invalid_request');
    });

    // req: A7.1
    it('refuses a replayed code with invalid_grant and revokes the tokens of its first use (RFC 6749 §4.1.2)', async () => {
      const client = await registerClient(proxy.baseUrl);
      const { code, verifier, redirectUri } = await authorizationCode(client);
      const exchange = {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      };
      const first = await postForm(tokenUrl, authenticationOf(client), exchange);
      assert.equal(first.status, 200);
      const tokens = first.body as unknown as TokenSet;
      assert.equal(await mcpStatusWith(proxy.mcpUrl, tokens.access_token), 200);

      const replay = await postForm(tokenUrl, authenticationOf(client), exchange);
      assert.equal(replay.status, 400);
      assert.equal(replay.body.error, 'invalid_grant');
      assert.equal(
        await mcpStatusWith(proxy.mcpUrl, tokens.access_token),
        401,
        'the first access token is revoked',
      );
      const refreshed = await refresh(authenticationOf(client), tokens.refresh_token ?? '');
      assert.equal(refreshed.body.error, 'invalid_grant', 'the first refresh token is revoked');
    });

    // req: A7.1
    it("refuses another client's code with invalid_grant", async () => {
      const owner = await registerClient(proxy.baseUrl);
      const thief = await registerClient(proxy.baseUrl);
      const { code, verifier, redirectUri } = await authorizationCode(owner);
      const answer = await postForm(tokenUrl, authenticationOf(thief), {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      });
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error, 'invalid_grant');
    });

    it('refuses grant types it does not offer with unsupported_grant_type', async () => {
      const client = await registerClient(proxy.baseUrl);
      // The device grant is offered (device-flow.test.ts), to clients that register it.
      for (const grantType of ['password', 'client_credentials']) {
        const answer = await postForm(tokenUrl, authenticationOf(client), { grant_type: grantType });
        assert.equal(answer.status, 400, grantType);
        assert.equal(answer.body.error, 'unsupported_grant_type');
      }
    });

    it('issues Bearer tokens even to a client that sends a DPoP proof (the MCP endpoint checks bearer tokens only)', async () => {
      const { client, tokens } = await obtainTokens(proxy.baseUrl);
      const { privateKey, publicKey } = await generateKeyPair('ES256');
      const proof = await new SignJWT({ htm: 'POST', htu: tokenUrl, jti: randomUUID() })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(publicKey) })
        .setIssuedAt()
        .sign(privateKey);
      const response = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: proof },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: tokens.refresh_token ?? '',
          client_id: client.client_id,
        }),
      });
      const answer = await readJson(response);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.token_type, 'Bearer');
      assert.equal(await mcpStatusWith(proxy.mcpUrl, String(answer.body.access_token)), 200);
    });
  });

  describe('refresh token grant', () => {
    // req: A7.3
    it('rotates the refresh token of a public client and the new tokens work', async () => {
      const { client, tokens } = await obtainTokens(proxy.baseUrl);
      const refreshed = await refresh(authenticationOf(client), tokens.refresh_token ?? '');
      assert.equal(refreshed.status, 200);
      assert.equal(refreshed.headers.get('cache-control'), 'no-store');
      assert.ok(refreshed.body.refresh_token);
      assert.notEqual(refreshed.body.refresh_token, tokens.refresh_token);
      assert.notEqual(refreshed.body.access_token, tokens.access_token);
      assert.equal(await mcpStatusWith(proxy.mcpUrl, refreshed.body.access_token ?? ''), 200);
      const again = await refresh(authenticationOf(client), refreshed.body.refresh_token ?? '');
      assert.equal(again.status, 200);
    });

    // req: A7.3
    it('answers reuse of a rotated refresh token with invalid_grant, never a 500, and revokes its family (RFC 9700 §4.14.2)', async () => {
      const { client, tokens } = await obtainTokens(proxy.baseUrl);
      const rotated = await refresh(authenticationOf(client), tokens.refresh_token ?? '');
      assert.equal(rotated.status, 200);
      const reuse = await refresh(authenticationOf(client), tokens.refresh_token ?? '');
      assert.equal(reuse.status, 400);
      assert.equal(reuse.body.error, 'invalid_grant');
      // oidc-provider treats the reuse as theft: the whole grant goes, the newest tokens included.
      assert.equal(await mcpStatusWith(proxy.mcpUrl, rotated.body.access_token ?? ''), 401);
      const newest = await refresh(authenticationOf(client), rotated.body.refresh_token ?? '');
      assert.equal(newest.body.error, 'invalid_grant');
    });

    it('keeps the refresh token of a confidential client usable after a refresh', async () => {
      const client = await registerClient(proxy.baseUrl, {
        token_endpoint_auth_method: 'client_secret_post',
      });
      const { tokens } = await obtainTokens(proxy.baseUrl, { client });
      const first = await refresh(authenticationOf(client), tokens.refresh_token ?? '');
      assert.equal(first.status, 200);
      const second = await refresh(
        authenticationOf(client),
        first.body.refresh_token ?? tokens.refresh_token ?? '',
      );
      assert.equal(second.status, 200);
    });

    it('answers unknown and foreign refresh tokens with invalid_grant', async () => {
      const { client, tokens } = await obtainTokens(proxy.baseUrl);
      const other = await registerClient(proxy.baseUrl);
      assert.equal(
        (await refresh(authenticationOf(client), 'no-such-refresh-token')).body.error,
        'invalid_grant',
      );
      assert.equal(
        (await refresh(authenticationOf(other), tokens.refresh_token ?? '')).body.error,
        'invalid_grant',
      );
    });
  });

  describe('revocation (RFC 7009) at /token/revocation', () => {
    function revoke(auth: ClientAuthentication, token: string, hint?: string) {
      return postForm(`${proxy.baseUrl}/token/revocation`, auth, {
        token,
        ...(hint === undefined ? {} : { token_type_hint: hint }),
      });
    }

    async function revokeRaw(client: RegisteredClient, token: string): Promise<Response> {
      return await fetch(`${proxy.baseUrl}/token/revocation`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, client_id: client.client_id }),
      });
    }

    // req: A2.1, A3.1
    it('revokes an access token, which the MCP endpoint then refuses with 401', async () => {
      const { client, tokens } = await obtainTokens(proxy.baseUrl);
      assert.equal(await mcpStatusWith(proxy.mcpUrl, tokens.access_token), 200);
      const response = await revokeRaw(client, tokens.access_token);
      await response.arrayBuffer();
      assert.equal(response.status, 200);
      assert.equal(await mcpStatusWith(proxy.mcpUrl, tokens.access_token), 401);
    });

    it('revokes a refresh token together with the access tokens of its grant', async () => {
      const { client, tokens } = await obtainTokens(proxy.baseUrl);
      const response = await revokeRaw(client, tokens.refresh_token ?? '');
      await response.arrayBuffer();
      assert.equal(response.status, 200);
      assert.equal(
        (await refresh(authenticationOf(client), tokens.refresh_token ?? '')).body.error,
        'invalid_grant',
      );
      assert.equal(await mcpStatusWith(proxy.mcpUrl, tokens.access_token), 401);
    });

    it('answers 200 for an unknown token, as RFC 7009 §2.2 requires', async () => {
      const client = await registerClient(proxy.baseUrl);
      const response = await revokeRaw(client, 'no-such-token');
      await response.arrayBuffer();
      assert.equal(response.status, 200);
    });

    it("does not let one client revoke another client's token", async () => {
      const { tokens } = await obtainTokens(proxy.baseUrl);
      const publicOther = await registerClient(proxy.baseUrl);
      const response = await revokeRaw(publicOther, tokens.access_token);
      await response.arrayBuffer();
      assert.equal(response.status, 200, 'a public client learns nothing about the token');
      assert.equal(await mcpStatusWith(proxy.mcpUrl, tokens.access_token), 200);

      const confidentialOther = await registerClient(proxy.baseUrl, {
        token_endpoint_auth_method: 'client_secret_basic',
      });
      const refused = await revoke(authenticationOf(confidentialOther), tokens.access_token, 'access_token');
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error, 'invalid_request');
      assert.equal(await mcpStatusWith(proxy.mcpUrl, tokens.access_token), 200);
    });

    it('lets a confidential client revoke with its secret', async () => {
      const client = await registerClient(proxy.baseUrl, {
        token_endpoint_auth_method: 'client_secret_basic',
      });
      const { tokens } = await obtainTokens(proxy.baseUrl, { client });
      const response = await fetch(`${proxy.baseUrl}/token/revocation`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret ?? ''}`).toString('base64')}`,
        },
        body: new URLSearchParams({ token: tokens.access_token }),
      });
      await response.arrayBuffer();
      assert.equal(response.status, 200);
      assert.equal(await mcpStatusWith(proxy.mcpUrl, tokens.access_token), 401);
    });
  });

  // req: A3.6
  it('logs why each grant was refused, no server error, and never a token value', async () => {
    const client = await registerClient(proxy.baseUrl);
    const { code, verifier, redirectUri } = await authorizationCode(client);
    const exchange = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    };
    const tokens = (await postForm(tokenUrl, authenticationOf(client), exchange)).body as unknown as TokenSet;
    const refreshed = await refresh(authenticationOf(client), tokens.refresh_token ?? '');
    await postForm(tokenUrl, authenticationOf(client), exchange);
    const serverErrors = proxy.logs.filter(
      (line) => line.event === 'oauth.server_error' || line.event === 'http.unhandled_error',
    );
    assert.deepEqual(serverErrors, []);
    const details = proxy.logs
      .filter((line) => line.event === 'oauth.grant.error')
      .map((line) => line.detail);
    assert.ok(details.includes('authorization code already consumed'), JSON.stringify(details));
    const logText = JSON.stringify(proxy.logs);
    for (const secret of [
      tokens.access_token,
      tokens.refresh_token,
      refreshed.body.access_token,
      refreshed.body.refresh_token,
    ]) {
      assert.ok(typeof secret === 'string' && !logText.includes(secret), 'a token value reached the logs');
    }
  });
});
