import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createPageRenderer,
  resolveBranding,
  type AccountApp,
  type AccountLocals,
} from '../../../src/views/index.ts';

const BRANDING = resolveBranding({
  brandingTitle: 'Acme sign-in',
  identityServerUrl: 'https://idp.acme.example',
});

const TIME = { iso: '2026-05-12T14:03:00.000Z', text: '12 May 2026, 14:03 UTC' };

function app(overrides: Partial<AccountApp> = {}): AccountApp {
  return {
    grantId: 'grant-1',
    clientId: 'client-1',
    clientName: 'Editor',
    label: 'Editor',
    publisher: undefined,
    redirectUris: ['http://127.0.0.1:33418/callback'],
    redirectHostnames: ['127.0.0.1'],
    servers: [{ id: 'notes', displayName: 'Notes', resource: 'https://mcp.example.com/notes', scopes: [] }],
    scopes: ['openid', 'offline_access'],
    firstUsed: TIME,
    lastUsed: undefined,
    ...overrides,
  };
}

function locals(overrides: Partial<AccountLocals> = {}): AccountLocals {
  return {
    page: 'apps',
    accountId: 'uid-alice',
    apps: [app()],
    notice: undefined,
    csrfToken: 'csrf-value',
    paths: { page: '/account', revoke: '/account/revoke', signOut: '/account/sign-out' },
    lastUsedPrecision: 'an hour',
    ...overrides,
  };
}

describe('the connected-apps page template', () => {
  const renderer = createPageRenderer({ branding: BRANDING });

  it('lists each app with its redirects, servers, scopes, times and a revoke form that posts the CSRF token', async () => {
    const html = await renderer.render('account', locals());
    assert.match(html, /<title>Connected apps \| Acme sign-in<\/title>/);
    assert.match(html, /<h2>Editor<\/h2>/);
    assert.match(html, /<strong>Notes<\/strong> <code>https:\/\/mcp\.example\.com\/notes<\/code>/);
    assert.match(html, /<code>openid<\/code> <code>offline_access<\/code>/);
    assert.match(html, /<time datetime="2026-05-12T14:03:00.000Z">12 May 2026, 14:03 UTC<\/time>/);
    assert.match(html, /<dt>Last used<\/dt>\s*<dd><span class="muted">Not recorded yet<\/span>/);
    assert.match(
      html,
      /<form method="post" action="\/account\/revoke"[^>]*>\s*<input type="hidden" name="csrf" value="csrf-value">\s*<input type="hidden" name="grant" value="grant-1">/,
    );
    assert.match(html, /aria-label="Revoke access for Editor">Revoke access<\/button>/);
    assert.match(html, /up to an hour since/);
  });

  it('escapes what a client registered, in text and in attributes', async () => {
    const name = '<img src=x onerror=alert(1)>"';
    const html = await renderer.render(
      'account',
      locals({
        apps: [app({ clientName: name, label: name, redirectUris: ['https://x.example/"><script>'] })],
      }),
    );
    assert.doesNotMatch(html, /<img src=x|<script>/);
    assert.match(html, /aria-label="Revoke access for &lt;img src=x onerror=alert\(1\)&gt;&#34;"/);
  });

  it('names the publisher of a client ID metadata document client, whose redirects are in its document', async () => {
    const clientId = 'https://app.example.com/oauth/client.json';
    const html = await renderer.render(
      'account',
      locals({
        apps: [
          app({
            clientId,
            clientName: undefined,
            label: 'An app published by app.example.com',
            publisher: 'app.example.com',
            redirectUris: [],
          }),
        ],
      }),
    );
    assert.match(html, /<h2>An app published by app\.example\.com<\/h2>/);
    assert.match(html, /<dt>Published by<\/dt>\s*<dd><span class="value host">app\.example\.com<\/span>/);
    assert.ok(html.includes(`<code>${clientId}</code>`));
  });

  it('says when no app has access, and shows each notice once given', async () => {
    const html = await renderer.render(
      'account',
      locals({ apps: [], notice: { kind: 'revoked', app: 'Editor' } }),
    );
    assert.match(html, /No app has access to your account/);
    assert.match(html, /<p class="notice" role="status">Editor no longer has access/);
    assert.doesNotMatch(html, /class="apps"/);
  });

  it('has a signed-out page and a refusal page, neither with a form', async () => {
    const signedOut = await renderer.render('account', locals({ page: 'signed-out', title: 'Signed out' }));
    assert.match(signedOut, /<h1 id="page-title">Signed out<\/h1>/);
    assert.match(signedOut, /<a class="button button--primary" href="\/account">Sign in again<\/a>/);
    const refused = await renderer.render('account', locals({ page: 'refused' }));
    assert.match(refused, /role="alert">This request did not come from your connected-apps page/);
    for (const html of [signedOut, refused]) assert.doesNotMatch(html, /<form/);
  });
});

describe('the connected-apps page with OIDC_PROVIDER_VIEWS_PATH', () => {
  let layoutOnly: string;
  let withAccount: string;
  before(async () => {
    layoutOnly = await mkdtemp(join(tmpdir(), 'views-layout-'));
    await writeFile(
      join(layoutOnly, '_layout.ejs'),
      '<html><body class="custom"><h1><%= title %></h1><%- body %></body></html>',
    );
    withAccount = await mkdtemp(join(tmpdir(), 'views-account-'));
    await writeFile(
      join(withAccount, 'account.ejs'),
      '<p>Custom list of <%= apps.length %> apps for <%= accountId %></p>',
    );
  });
  after(async () => {
    await rm(layoutOnly, { recursive: true, force: true });
    await rm(withAccount, { recursive: true, force: true });
  });

  it('shows ours inside a custom layout when the directory has no account.ejs', async () => {
    const html = await createPageRenderer({ viewsPath: layoutOnly, branding: BRANDING }).render(
      'account',
      locals(),
    );
    assert.match(html, /<body class="custom"><h1>Connected apps<\/h1>/);
    assert.match(html, /<h2>Editor<\/h2>/);
  });

  it('uses the directory’s account.ejs inside our layout, branding kept', async () => {
    const html = await createPageRenderer({ viewsPath: withAccount, branding: BRANDING }).render(
      'account',
      locals(),
    );
    assert.match(html, /<p>Custom list of 1 apps for uid-alice<\/p>/);
    assert.match(html, /<p class="brand__title">Acme sign-in<\/p>/);
  });
});
