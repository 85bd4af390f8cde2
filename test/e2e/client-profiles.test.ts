/**
 * Every row of the client profile table (src/oauth/client-profiles.ts): the
 * client registers (or is known by its metadata document), sends each of its
 * authorization request shapes through the whole login, exchanges the code,
 * calls the MCP endpoint and refreshes. This is what "works with Claude,
 * Cursor, VS Code, ChatGPT…" means here, short of the clients themselves.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CLIENT_PROFILES,
  type AuthorizationRequestShape,
  type ClientProfile,
} from '../../src/oauth/client-profiles.ts';
import {
  authorizationUrl,
  createPkce,
  loginWith,
  mcpStatusWith,
  postForm,
  readJson,
  type RegisteredClient,
  type TokenAnswer,
} from '../support/raw-oauth.ts';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { startMetadataDocumentHost, type MetadataDocumentHost } from './spec/metadata-document-host.ts';

describe('client profiles: each client registers, authorizes, gets tokens and refreshes', () => {
  let proxy: TestProxy;
  let host: MetadataDocumentHost;
  let resourceScopes: string;
  before(async () => {
    host = await startMetadataDocumentHost();
    proxy = await startTestProxy();
    const metadata = await readJson(await fetch(`${proxy.baseUrl}/.well-known/oauth-protected-resource/mcp`));
    resourceScopes = (metadata.body.scopes_supported as string[]).join(' ');
  });
  after(async () => {
    await proxy.close();
    await host.close();
  });

  /** The client_id this profile presents: a DCR answer, or its document re-hosted on the test's https host. */
  async function clientIdOf(profile: ClientProfile): Promise<string> {
    const { registration } = profile;
    if (registration.kind === 'metadata-document') {
      // The document is served at the same path on the test's host, with client_id = that URL.
      return host.serveDocument(new URL(registration.clientId).pathname, { ...registration.document });
    }
    const response = await fetch(`${proxy.baseUrl}/register`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(profile.origin === undefined ? {} : { origin: profile.origin }),
      },
      body: JSON.stringify(registration.metadata),
    });
    const answer = await readJson(response);
    assert.equal(answer.status, 201, `registration: ${JSON.stringify(answer.body)}`);
    if (profile.origin !== undefined) {
      assert.equal(
        answer.headers.get('access-control-allow-origin'),
        '*',
        'a browser client can read the answer',
      );
    }
    return (answer.body as unknown as RegisteredClient).client_id;
  }

  function parametersOf(shape: AuthorizationRequestShape): Record<string, string | undefined> {
    const scope =
      shape.scope.from === 'none'
        ? undefined
        : shape.scope.from === 'literal'
          ? shape.scope.value
          : resourceScopes;
    const resource =
      shape.resource === 'omitted'
        ? undefined
        : shape.resource === 'canonical'
          ? proxy.mcpUrl
          : `${proxy.mcpUrl}/`;
    return { redirect_uri: shape.redirectUri, scope, resource };
  }

  async function authorizeAndUse(clientId: string, shape: AuthorizationRequestShape): Promise<void> {
    const parameters = parametersOf(shape);
    const pkce = createPkce();
    const login = await loginWith(
      authorizationUrl(
        proxy.baseUrl,
        { client_id: clientId, redirect_uris: [shape.redirectUri] },
        pkce,
        parameters,
      ),
      shape.redirectUri,
    );
    assert.ok(login.code, `no code at ${login.callback.href}`);
    assert.equal(login.callback.searchParams.get('iss'), proxy.baseUrl, 'RFC 9207 iss');

    const auth = { method: 'none', clientId } as const;
    const exchange = await postForm<TokenAnswer>(`${proxy.baseUrl}/token`, auth, {
      grant_type: 'authorization_code',
      code: login.code,
      redirect_uri: shape.redirectUri,
      code_verifier: pkce.verifier,
      ...(parameters.resource === undefined ? {} : { resource: parameters.resource }),
    });
    assert.equal(exchange.status, 200, `token: ${JSON.stringify(exchange.body)}`);
    assert.equal(await mcpStatusWith(proxy.mcpUrl, exchange.body.access_token ?? ''), 200, 'MCP call');
    assert.ok(exchange.body.refresh_token, 'a refresh token, whatever scope was asked for');

    const refreshed = await postForm<TokenAnswer>(`${proxy.baseUrl}/token`, auth, {
      grant_type: 'refresh_token',
      refresh_token: exchange.body.refresh_token,
    });
    assert.equal(refreshed.status, 200, `refresh: ${JSON.stringify(refreshed.body)}`);
  }

  for (const profile of CLIENT_PROFILES) {
    // req: A5.2, A6.5, A6.9, A6.10
    it(`${profile.name} [${profile.id}]: ${profile.authorizations.length} authorization shape(s) succeed`, async () => {
      const clientId = await clientIdOf(profile);
      for (const shape of profile.authorizations) await authorizeAndUse(clientId, shape);
    });
  }

  it('logged no server error for any profile', () => {
    const serverErrors = proxy.logs.filter(
      (line) => line.event === 'oauth.server_error' || line.event === 'http.unhandled_error',
    );
    assert.deepEqual(serverErrors, []);
  });
});
