/**
 * Logs record events, never secrets (style.md rule 12): across a whole login,
 * the code exchange, a refresh on both sides, tool calls and a few failures,
 * no log line holds an authorization code, a PKCE verifier, a token of the
 * IdP or of the proxy, or a client secret. Logging runs at debug level.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startFakeIdp } from '../../support/fake-idp.ts';
import {
  authorizationRequest,
  browse,
  cleanupStack,
  exchangeCode,
  loginThroughProxy,
  refreshTokens,
  registerClient,
  whoami,
  type TokenResponse,
} from '../../support/login-bridge-steps.ts';
import {
  issuedIdpTokens,
  startRecordingForwarder,
  writeMetadataThroughForwarder,
} from '../../support/recording-forwarder.ts';
import { startTestProxy } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';

describe('logs across a whole login', () => {
  // req: A3.6
  it('never contain a code, a verifier, a token or a client secret', async (t) => {
    const defer = cleanupStack(t);
    const idp = await startFakeIdp({ mode: 'oidc' });
    defer(() => idp.close());
    const forwarder = await startRecordingForwarder(idp.url);
    defer(() => forwarder.close());
    const dir = await mkdtemp(join(tmpdir(), 'login-bridge-logs-'));
    defer(() => rm(dir, { recursive: true, force: true }));
    const proxy = await startTestProxy({
      idp,
      env: {
        IDENTITY_SERVER_URL: '',
        IDENTITY_SERVER_METADATA_FILE: await writeMetadataThroughForwarder(idp, forwarder, dir),
        LOG_LEVEL: 'debug',
      },
    });
    defer(() => proxy.close());

    // A confidential client, so that there is a client secret to leak.
    const client = await registerClient(proxy.baseUrl, { token_endpoint_auth_method: 'client_secret_basic' });
    const clientSecret = client.client_secret;
    assert.ok(clientSecret, 'a confidential client gets a secret');
    const request = authorizationRequest(proxy.baseUrl, client, proxy.mcpUrl);
    const agent = new UserAgent();
    const login = await loginThroughProxy(agent, idp, request, 'alice');
    const tokens = await exchangeCode(proxy.baseUrl, request, login.callback, proxy.mcpUrl, clientSecret);
    assert.equal(await whoami(proxy.mcpUrl, tokens.access_token), 'alice');
    const refreshed = await refreshTokens(
      proxy.baseUrl,
      client.client_id,
      tokens.refresh_token!,
      proxy.mcpUrl,
      clientSecret,
    );
    assert.equal(refreshed.status, 200);
    const second = refreshed.body as TokenResponse;
    idp.expireAccessTokens();
    assert.equal(await whoami(proxy.mcpUrl, second.access_token), 'alice', 'an upstream refresh happened');

    // Failures log too: a replayed code, a replayed IdP callback, a bad bearer, a wrong client secret.
    await exchangeCode(proxy.baseUrl, request, login.callback, proxy.mcpUrl, clientSecret).catch(
      () => undefined,
    );
    await browse(agent, login.idpCallback, { idpUrl: idp.url, redirectUri: request.redirectUri });
    await fetch(proxy.mcpUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}x` },
    });
    await refreshTokens(
      proxy.baseUrl,
      client.client_id,
      second.refresh_token!,
      proxy.mcpUrl,
      `${clientSecret}x`,
    );

    const idpTokens = issuedIdpTokens(forwarder);
    assert.ok(idpTokens.accessTokens.length >= 2, 'the IdP’s login and refresh were recorded');
    const upstreamVerifiers = forwarder.exchanges
      .map((exchange) => new URLSearchParams(exchange.requestBody).get('code_verifier'))
      .filter((verifier): verifier is string => verifier !== null);
    const secrets: Record<string, readonly string[]> = {
      'the proxy’s authorization code': [login.callback.searchParams.get('code')!],
      'the IdP’s authorization code': [login.idpCallback.searchParams.get('code')!],
      'the client’s PKCE verifier': [request.verifier],
      'the proxy’s PKCE verifier at the IdP': upstreamVerifiers,
      'a proxy access token': [tokens.access_token, second.access_token],
      'a proxy refresh token': [tokens.refresh_token!, second.refresh_token!],
      'a proxy id_token': [tokens.id_token, second.id_token].filter(
        (token): token is string => token !== undefined,
      ),
      'an IdP access token': idpTokens.accessTokens,
      'an IdP refresh token': idpTokens.refreshTokens,
      'an IdP id_token': idpTokens.idTokens,
      'the client secret': [clientSecret],
      'the proxy’s client secret at the IdP': [idp.clientSecret],
    };

    assert.ok(proxy.logs.length > 20, 'the proxy logged the flow');
    const lines = proxy.logs.map((line) => JSON.stringify(line));
    for (const [what, values] of Object.entries(secrets)) {
      assert.ok(values.length > 0, `${what} was captured`);
      for (const secret of values) {
        const leak = lines.find((line) => line.includes(secret));
        assert.equal(leak, undefined, `${what} is in a log line`);
      }
    }
  });
});
