/**
 * The connected-apps page (/account, docs/account-page.md) as a user drives
 * it: signed in through two MCP client applications, the user opens the page
 * in a browser, signs in at the IdP, sees both apps and revokes one with the
 * page's form. That app is cut off at once (its next MCP request and its
 * refresh are refused, its IdP tokens are gone); the other keeps working.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ObservedEvent } from '../../../src/observability/index.ts';
import { whoami } from '../../support/login-bridge-steps.ts';
import { mcpStatusWith } from '../../support/raw-oauth.ts';
import type { TestProxy } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';
import {
  appNames,
  connectApp,
  formWithButton,
  openAccountPage,
  refreshStatus,
  startAccountProxy,
  submit,
  type ConnectedClient,
} from './account-steps.ts';

describe('the connected-apps page', () => {
  let proxy: TestProxy;
  let events: ObservedEvent[];
  let editor: ConnectedClient;
  let terminal: ConnectedClient;
  let colleague: ConnectedClient;
  before(async () => {
    ({ proxy, events } = await startAccountProxy());
    editor = await connectApp(proxy.mcpUrl, 'alice', 'Editor');
    terminal = await connectApp(proxy.mcpUrl, 'alice', 'Terminal');
    colleague = await connectApp(proxy.mcpUrl, 'bob', 'Editor');
  });
  after(async () => {
    await proxy?.close();
  });

  it('lists each app that holds the user’s access, with its redirects, server, scopes and times', async () => {
    const page = await openAccountPage(proxy, new UserAgent(), 'alice');
    assert.equal(page.status, 200);
    assert.equal(page.url.pathname, '/account');
    assert.deepEqual(appNames(page.html).sort(), ['Editor', 'Terminal'], 'alice’s two apps, not bob’s');
    assert.match(page.html, /Signed in as <code>uid-alice<\/code>/);
    assert.match(page.html, /<code>http:\/\/127\.0\.0\.1:33418\/callback<\/code>/, 'where it redirects');
    assert.ok(page.html.includes(`<code>${proxy.mcpUrl}</code>`), 'the server it may use');
    assert.match(page.html, /<dt>Scopes<\/dt>\s*<dd><code>openid<\/code><\/dd>/, 'its scopes');
    // Both were used at sign-in: a first and a last use each, as <time> elements.
    assert.equal([...page.html.matchAll(/<time datetime="[^"]+Z">/g)].length, 4);
    assert.match(page.html, /aria-label="Revoke access for Terminal"/);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  });

  it('revokes one app through its form: that app is cut off at once, the other keeps working', async () => {
    const agent = new UserAgent();
    const page = await openAccountPage(proxy, agent, 'alice');
    assert.equal(await mcpStatusWith(proxy.mcpUrl, terminal.tokens.access_token), 200);
    const form = formWithButton(page, 'Revoke access for Terminal');
    const grantId = form.fields.get('grant') ?? '';
    assert.notEqual(await proxy.app.store.get(`upstream-tokens:${grantId}`), undefined);

    const { response, then } = await submit(proxy, agent, form);
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/account');
    assert.ok(then?.at === 'page' && then.status === 200);
    assert.deepEqual(appNames(then.html), ['Editor']);
    assert.match(then.html, /role="status">Terminal no longer has access/);

    assert.equal(await mcpStatusWith(proxy.mcpUrl, terminal.tokens.access_token), 401, 'refused at once');
    assert.equal(await refreshStatus(proxy, terminal), 400, 'its refresh token is refused');
    assert.equal(await proxy.app.store.get(`upstream-tokens:${grantId}`), undefined, 'its IdP tokens');
    assert.equal(await whoami(proxy.mcpUrl, editor.tokens.access_token), 'alice', 'Editor still works');
    assert.equal(await refreshStatus(proxy, editor), 200);
    const revoked = events.find((event) => event.type === 'grant.revoked' && event.grantId === grantId);
    assert.deepEqual(
      revoked === undefined ? undefined : { ...revoked, request: undefined },
      {
        type: 'grant.revoked',
        by: 'user',
        grantId,
        accountId: 'uid-alice',
        clientId: terminal.clientId,
        request: undefined,
      },
      'the audit trail hears who revoked it',
    );

    const again = await openAccountPage(proxy, agent, 'alice');
    assert.doesNotMatch(again.html, /role="status"/, 'the notice is shown once');
  });

  it('does not revoke another user’s grant, whatever grant id the form carries', async () => {
    const bobsPage = await openAccountPage(proxy, new UserAgent(), 'bob');
    const bobsGrant = formWithButton(bobsPage, 'Revoke access for Editor').fields.get('grant') ?? '';
    const agent = new UserAgent();
    const form = formWithButton(await openAccountPage(proxy, agent, 'alice'), 'Revoke access for Editor');
    form.fields.set('grant', bobsGrant);

    const { response, then } = await submit(proxy, agent, form);
    assert.equal(response.status, 303);
    assert.ok(then?.at === 'page');
    assert.match(then.html, /role="status">That app no longer has access: it was already revoked/);
    assert.equal(await mcpStatusWith(proxy.mcpUrl, colleague.tokens.access_token), 200, 'bob keeps access');
    assert.equal(await mcpStatusWith(proxy.mcpUrl, editor.tokens.access_token), 200, 'and so does alice');
  });

  for (const [name, csrf] of [
    ['without', null],
    ['with a wrong', 'forged-token'],
  ] as const) {
    it(`refuses a revocation ${name} CSRF token with 403 and revokes nothing`, async () => {
      const agent = new UserAgent();
      const form = formWithButton(await openAccountPage(proxy, agent, 'alice'), 'Revoke access for Editor');
      if (csrf === null) form.fields.delete('csrf');
      else form.fields.set('csrf', csrf);

      const { response } = await submit(proxy, agent, form);
      assert.equal(response.status, 403);
      const html = await response.text();
      assert.match(html, /did not come from your connected-apps page, so nothing was changed/);
      assert.equal(response.headers.get('x-frame-options'), 'DENY');
      assert.equal(await mcpStatusWith(proxy.mcpUrl, editor.tokens.access_token), 200);
    });
  }

  it('refuses the CSRF token of another session', async () => {
    const other = formWithButton(await openAccountPage(proxy, new UserAgent(), 'alice'), 'Sign out');
    const agent = new UserAgent();
    const form = formWithButton(await openAccountPage(proxy, agent, 'alice'), 'Revoke access for Editor');
    form.fields.set('csrf', other.fields.get('csrf') ?? '');
    assert.equal((await submit(proxy, agent, form)).response.status, 403);
    assert.equal(await mcpStatusWith(proxy.mcpUrl, editor.tokens.access_token), 200);
  });
});
