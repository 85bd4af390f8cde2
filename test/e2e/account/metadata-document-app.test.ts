/**
 * A client ID metadata document client on the connected-apps page: it has no
 * registration, so the page names it as its document did at sign-in and shows
 * the host that publishes the document; it is revoked like any other app.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { refreshTokens } from '../../support/login-bridge-steps.ts';
import { mcpStatusWith } from '../../support/raw-oauth.ts';
import { authorizeWithSdk } from '../../support/sdk-oauth-client.ts';
import type { TestProxy } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { startMetadataDocumentHost, type MetadataDocumentHost } from '../spec/metadata-document-host.ts';
import { SpecOAuthClient } from '../spec/spec-oauth-client.ts';
import { appNames, formWithButton, openAccountPage, startAccountProxy, submit } from './account-steps.ts';

const REDIRECT_URI = 'http://127.0.0.1:33418/callback';

describe('a client ID metadata document app on the connected-apps page', () => {
  let host: MetadataDocumentHost;
  let proxy: TestProxy;
  before(async () => {
    host = await startMetadataDocumentHost();
    ({ proxy } = await startAccountProxy());
  });
  after(async () => {
    await proxy?.close();
    await host?.close();
  });

  it('is named as at sign-in, with the host that publishes it, and revoked like any app', async () => {
    const documentUrl = host.serveDocument('/oauth/docs-bot', {
      client_name: 'Docs Bot',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    });
    const client = new SpecOAuthClient({ redirectUrl: REDIRECT_URI, clientMetadataUrl: documentUrl });
    const { tokens } = await authorizeWithSdk(proxy.mcpUrl, client, new UserAgent(), { username: 'alice' });
    const fetches = host.hits('/oauth/docs-bot');

    const agent = new UserAgent();
    const page = await openAccountPage(proxy, agent, 'alice');
    assert.deepEqual(appNames(page.html), ['Docs Bot']);
    assert.match(page.html, /<dt>Published by<\/dt>\s*<dd><span class="value host">localhost<\/span><\/dd>/);
    assert.ok(page.html.includes(`<code>${documentUrl}</code>`), 'its redirects are in its document');
    assert.equal(host.hits('/oauth/docs-bot'), fetches, 'the page fetches no document');

    const { then } = await submit(proxy, agent, formWithButton(page, 'Revoke access for Docs Bot'));
    assert.ok(then?.at === 'page');
    assert.match(then.html, /Docs Bot no longer has access/);
    assert.deepEqual(appNames(then.html), []);
    assert.match(then.html, /No app has access to your account/);
    assert.equal(await mcpStatusWith(proxy.mcpUrl, tokens.access_token), 401);
    const refresh = await refreshTokens(proxy.baseUrl, documentUrl, tokens.refresh_token ?? '', proxy.mcpUrl);
    assert.equal(refresh.status, 400);
  });
});
