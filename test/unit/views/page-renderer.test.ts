import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createPageRenderer,
  redirectHostnames,
  resolveBranding,
  type ConfirmLoginLocals,
} from '../../../src/views/index.ts';

const HEROKU = resolveBranding({
  brandingTitle: 'Login for Model Context Protocol',
  identityServerUrl: 'https://id.heroku.com',
});
const GENERIC = resolveBranding({
  brandingTitle: 'Acme sign-in',
  identityServerUrl: 'https://idp.acme.example',
});

function confirmLocals(overrides: Partial<ConfirmLoginLocals> = {}): ConfirmLoginLocals {
  const redirectUris = overrides.client?.redirectUris ?? [
    'http://127.0.0.1:33418/callback',
    'https://claude.ai/api/mcp/auth_callback',
  ];
  return {
    client: {
      clientId: 'client-123',
      clientName: 'Claude',
      clientUri: 'https://claude.ai/',
      redirectUris,
    },
    uid: 'uid-abc_123',
    details: {},
    params: { client_id: 'client-123', scope: 'openid offline_access' },
    identityServerUrl: 'https://id.heroku.com',
    csrfToken: 'csrf-token-value',
    redirectHostnames: redirectHostnames(redirectUris),
    identityProviderName: 'id.heroku.com',
    scopes: ['openid', 'offline_access'],
    servers: [{ id: 'default', displayName: undefined, resource: 'https://mcp.example.com/mcp' }],
    ...overrides,
  };
}

describe('the confirm page', () => {
  const renderer = createPageRenderer({ branding: HEROKU });

  it('names the client, its website, its redirect URIs and their hostnames, and the IdP', async () => {
    const html = await renderer.render('confirm-login', confirmLocals());
    assert.match(html, /<strong>Claude<\/strong>/);
    assert.match(html, /<a href="https:\/\/claude\.ai\/" rel="noopener noreferrer"/);
    assert.match(html, /<code>http:\/\/127\.0\.0\.1:33418\/callback<\/code>/);
    assert.match(html, /<code>https:\/\/claude\.ai\/api\/mcp\/auth_callback<\/code>/);
    assert.match(html, /<span class="value host">127\.0\.0\.1<\/span>/);
    assert.match(html, /<span class="value host">claude\.ai<\/span>/);
    assert.match(html, /through <strong>id\.heroku\.com<\/strong>/);
    assert.match(html, /<code>offline_access<\/code>/);
  });

  it('posts a required confirmation and the CSRF token to the interaction, and cancels through abort', async () => {
    const html = await renderer.render('confirm-login', confirmLocals());
    assert.match(
      html,
      /<form method="post" action="\/interaction\/uid-abc_123\/confirm-login" enctype="application\/x-www-form-urlencoded"/,
    );
    assert.match(html, /<input type="hidden" name="csrf" value="csrf-token-value">/);
    assert.match(html, /<input type="checkbox" id="confirmed" name="confirmed" value="true" required>/);
    assert.match(html, /<label for="confirmed">I trust this application/);
    assert.match(
      html,
      /<a class="button button--secondary" href="\/interaction\/uid-abc_123\/abort">Cancel<\/a>/,
    );
    assert.match(html, /<button type="submit" class="button button--primary">Continue to sign in<\/button>/);
  });

  it('is a complete, script-free page inside the layout with branding and a default title', async () => {
    const html = await renderer.render('confirm-login', confirmLocals());
    assert.match(html, /^<!doctype html>\n<html lang="en">/);
    assert.match(html, /<title>Confirm sign-in \| Login for Model Context Protocol \| Heroku<\/title>/);
    assert.match(html, /<link rel="icon" href="https:\/\/www\.herokucdn\.com\/favicon\.ico">/);
    assert.match(html, /<main class="card" aria-labelledby="page-title">/);
    assert.match(html, /--primary-background: #8363a1;/);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<link rel="stylesheet"|@import|src="http/i);
  });

  it('renders a hostile client name, website and redirect URI inert', async () => {
    const hostileUri = 'https://evil.example/cb?x="><script>alert(1)</script>';
    const html = await renderer.render(
      'confirm-login',
      confirmLocals({
        client: {
          clientId: 'evil',
          clientName: '<script>alert("name")</script><img src=x onerror=alert(1)>',
          clientUri: 'javascript:alert(1)',
          redirectUris: [hostileUri],
        },
        redirectHostnames: redirectHostnames([hostileUri]),
        scopes: ['<b>scope</b>'],
      }),
    );
    assert.doesNotMatch(html, /<script|<img|<b>/i);
    assert.doesNotMatch(html, /href="javascript:/i);
    assert.match(
      html,
      /&lt;script&gt;alert\(&#34;name&#34;\)&lt;\/script&gt;&lt;img src=x onerror=alert\(1\)&gt;/,
    );
    assert.match(
      html,
      /<code>https:\/\/evil\.example\/cb\?x=&#34;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/code>/,
    );
    assert.match(html, /<span class="value host">evil\.example<\/span>/);
    assert.match(html, /<dt>Website<\/dt>\s*<dd><span class="muted">Not given<\/span><\/dd>/);
  });

  it('escapes the uid in the form action and the Cancel link', async () => {
    const html = await renderer.render('confirm-login', confirmLocals({ uid: '"><a href=x>' }));
    assert.match(html, /action="\/interaction\/%22%3E%3Ca%20href%3Dx%3E\/confirm-login"/);
    assert.match(html, /href="\/interaction\/%22%3E%3Ca%20href%3Dx%3E\/abort"/);
  });

  it('calls a client without a name "An unnamed application"', async () => {
    const html = await renderer.render(
      'confirm-login',
      confirmLocals({
        client: { clientId: 'c', clientName: '  ', redirectUris: ['https://app.example/cb'] },
      }),
    );
    assert.match(html, /<strong>An unnamed application<\/strong>/);
  });

  it('uses generic branding without a favicon link when none is configured', async () => {
    const html = await createPageRenderer({ branding: GENERIC }).render('confirm-login', confirmLocals());
    assert.match(html, /<title>Confirm sign-in \| Acme sign-in<\/title>/);
    assert.doesNotMatch(html, /rel="icon"/);
    assert.match(html, /--primary-background: #a7bcd9;/);
  });

  it('fails loudly when a local it needs, such as the CSRF token, is missing', async () => {
    const { csrfToken: _omitted, ...withoutCsrf } = confirmLocals();
    await assert.rejects(renderer.render('confirm-login', withoutCsrf as ConfirmLoginLocals), /csrfToken/);
  });
});

describe('the error page', () => {
  const renderer = createPageRenderer({ branding: GENERIC });

  it('shows the OAuth error code, the description and the request id', async () => {
    const html = await renderer.render('error', {
      error: 'access_denied',
      errorDescription: 'You cancelled the sign-in.',
      requestId: 'req-42',
    });
    assert.match(html, /<h1 id="page-title">Sign-in could not continue<\/h1>/);
    assert.match(html, /<p>You cancelled the sign-in\.<\/p>/);
    assert.match(html, /<code>access_denied<\/code>/);
    assert.match(html, /<code>req-42<\/code>/);
  });

  it('renders with only an error code, and escapes everything it is given', async () => {
    const plain = await renderer.render('error', { error: 'server_error' });
    assert.match(plain, /Something went wrong while signing you in\./);
    assert.doesNotMatch(plain, /Request ID/);
    const hostile = await renderer.render('error', {
      title: '<i>t</i>',
      error: '<script>',
      errorDescription: '<img src=x>',
    });
    assert.doesNotMatch(hostile, /<script|<img|<i>/);
  });
});

describe('a custom views directory written for the reference proxy', () => {
  let viewsPath = '';

  before(async () => {
    viewsPath = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-views-'));
    // Written against the reference's locals only: title, branding (title,
    // favicon, logo, colors.*), body, client (clientName, clientUri,
    // redirectUris, logoUri), uid, details, params, identityServerUrl.
    await writeFile(
      join(viewsPath, '_layout.ejs'),
      [
        '<!doctype html><html><head><title><%= branding.title %></title>',
        '<link rel="shortcut icon" href="<%= branding.favicon %>">',
        '<style>:root{--p:<%= branding.colors.primary %>;--s:<%= branding.colors.secondary %>;',
        '--bg:<%= branding.colors.background %>;--t:<%= branding.colors.text %>;',
        '--m:<%= branding.colors.textMuted %>;--b:<%= branding.colors.border %>}</style></head>',
        '<body class="custom"><h1><%= title %></h1><%- body %><div class=logo><%- branding.logo %></div></body></html>',
      ].join('\n'),
    );
    await writeFile(
      join(viewsPath, 'confirm-login.ejs'),
      [
        '<p>Custom confirm for <code><%= identityServerUrl %></code></p>',
        "<p><strong><%= client['clientName'] %></strong> <a href=\"<%= client['clientUri'] %>\">site</a></p>",
        '<% if (client.logoUri) { %><img alt="" src="<%= client.logoUri %>"><% } %>',
        "<p>Redirects <%= client['redirectUris'].join(' ') %></p>",
        '<p>Client <%= params.client_id %>, details <%= Object.keys(details).length %></p>',
        '<form action="/interaction/<%= uid %>/confirm-login" method="post">',
        '<input type="checkbox" name="confirmed" value="true"><button>Login</button></form>',
      ].join('\n'),
    );
  });

  after(async () => {
    await rm(viewsPath, { recursive: true, force: true });
  });

  it('renders its confirm-login.ejs inside its _layout.ejs with the same local names', async () => {
    const html = await createPageRenderer({ viewsPath, branding: HEROKU }).render(
      'confirm-login',
      confirmLocals({ title: 'Confirm Login' }),
    );
    assert.match(html, /<title>Login for Model Context Protocol \| Heroku<\/title>/);
    assert.match(html, /href="https:\/\/www\.herokucdn\.com\/favicon\.ico"/);
    assert.match(html, /--p:#8363a1;--s:#74a8c3;/);
    assert.match(html, /--t:#fff;/);
    assert.match(html, /<body class="custom"><h1>Confirm Login<\/h1>/);
    assert.match(html, /Custom confirm for <code>https:\/\/id\.heroku\.com<\/code>/);
    assert.match(html, /<strong>Claude<\/strong> <a href="https:\/\/claude\.ai\/">site<\/a>/);
    assert.match(
      html,
      /Redirects http:\/\/127\.0\.0\.1:33418\/callback https:\/\/claude\.ai\/api\/mcp\/auth_callback/,
    );
    assert.match(html, /Client client-123, details 0/);
    assert.match(html, /action="\/interaction\/uid-abc_123\/confirm-login"/);
    assert.match(html, /<div class=logo><svg /);
  });

  it('falls back to our error.ejs, wrapped in the custom layout', async () => {
    const html = await createPageRenderer({ viewsPath, branding: GENERIC }).render('error', {
      error: 'server_error',
      requestId: 'req-7',
    });
    assert.match(html, /<body class="custom"><h1>Sign-in could not continue<\/h1>/);
    assert.match(html, /<code>server_error<\/code>/);
    assert.match(html, /<code>req-7<\/code>/);
  });

  it('prefers a custom error.ejs once the directory has one', async () => {
    const renderer = createPageRenderer({ viewsPath, branding: GENERIC });
    await writeFile(join(viewsPath, 'error.ejs'), '<p class="custom-error"><%= error %></p>');
    try {
      const html = await renderer.render('error', { error: 'access_denied' });
      assert.match(html, /<p class="custom-error">access_denied<\/p>/);
    } finally {
      await rm(join(viewsPath, 'error.ejs'));
    }
  });
});

describe('createPageRenderer', () => {
  it('compiles each template once and does not re-read it per request', async () => {
    const viewsPath = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-views-'));
    try {
      await writeFile(join(viewsPath, 'hello.ejs'), '<p>first <%= who %></p>');
      const renderer = createPageRenderer({ viewsPath, branding: GENERIC });
      assert.match(await renderer.render('hello', { who: 'A' }), /<p>first A<\/p>/);
      await writeFile(join(viewsPath, 'hello.ejs'), '<p>second <%= who %></p>');
      assert.match(await renderer.render('hello', { who: 'B' }), /<p>first B<\/p>/);
    } finally {
      await rm(viewsPath, { recursive: true, force: true });
    }
  });

  it('propagates a broken custom template as an exception, and retries it on the next render', async () => {
    const viewsPath = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-views-'));
    try {
      await writeFile(join(viewsPath, 'broken.ejs'), '<p><%= missing.property %></p>');
      await writeFile(join(viewsPath, 'bad-syntax.ejs'), '<p><% if ( { %></p>');
      const renderer = createPageRenderer({ viewsPath, branding: GENERIC });
      await assert.rejects(renderer.render('broken', {}), /missing is not defined/);
      await assert.rejects(renderer.render('bad-syntax', {}));
      await writeFile(join(viewsPath, 'bad-syntax.ejs'), '<p>fixed</p>');
      assert.match(await renderer.render('bad-syntax', {}), /<p>fixed<\/p>/);
    } finally {
      await rm(viewsPath, { recursive: true, force: true });
    }
  });

  it('rejects an unknown view, and a view name that is not a single path segment', async () => {
    const renderer = createPageRenderer({ branding: GENERIC });
    await assert.rejects(renderer.render('no-such-view', {}), /no template for view "no-such-view"/);
    for (const view of ['../package', 'templates/error', '', '.hidden']) {
      await assert.rejects(renderer.render(view, {}), /invalid view name/);
    }
  });

  it('requires an absolute custom views path', () => {
    assert.throws(() => createPageRenderer({ viewsPath: 'views', branding: GENERIC }), /absolute/);
  });
});

describe('redirectHostnames', () => {
  it('shows web and loopback hosts alone, app schemes with their scheme, each once', () => {
    assert.deepEqual(
      redirectHostnames([
        'https://claude.ai/api/mcp/auth_callback',
        'https://claude.ai/other',
        'http://127.0.0.1:33418/callback',
        'http://[::1]:8080/cb',
        'cursor://anysphere.cursor-retrieval/oauth/callback',
        'com.example.app:/oauth2redirect',
        'not a uri',
      ]),
      [
        'claude.ai',
        '127.0.0.1',
        '[::1]',
        'cursor://anysphere.cursor-retrieval',
        'com.example.app:',
        'not a uri',
      ],
    );
  });
});
