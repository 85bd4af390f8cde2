import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { browserOrSkip, launchChromium, newContextAt, VIEWPORTS } from './support/chromium.ts';
import { startClientRedirectServer, type ClientRedirectServer } from './support/client-redirect-server.ts';
import { DEFAULT_LABELS, walkThroughLogin } from './support/login-walk.ts';
import { recordRequests } from './support/request-log.ts';
import { finishSdkAuthorization, startSdkAuthorization } from './support/sdk-authorization.ts';

/**
 * An OIDC_PROVIDER_VIEWS_PATH directory as operators of the Heroku MCP Auth
 * Proxy write it: a `_layout.ejs` reading the reference's branding names and a
 * `confirm-login.ejs` whose form posts `confirmed=true` and no CSRF field.
 */
const REFERENCE_LAYOUT = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title><%= title %> - <%= branding.title %></title>
  <% if (branding.favicon) { %><link rel="shortcut icon" href="<%= branding.favicon %>"><% } %>
  <style>
    body { margin: 0; padding: 2rem 1rem; font-family: sans-serif; background: <%= branding.colors.background %>; color: <%= branding.colors.text %>; }
    .container { max-width: 30rem; margin: 0 auto; padding: 1.5rem; border: 1px solid <%= branding.colors.border %>; background: #fff; }
    button { background: <%= branding.colors.primary %>; }
  </style>
</head>
<body class="operator-views">
  <div class="container">
    <div class="logo"><%- branding.logo %></div>
    <h1><%= title %></h1>
    <%- body %>
  </div>
</body>
</html>
`;

const REFERENCE_CONFIRM_LOGIN = `<p class="operator-confirm"><strong><%= client.clientName || client.clientId %></strong> asks to sign you in through <%= identityServerUrl %>.</p>
<form method="post" action="/interaction/<%= uid %>/confirm-login">
  <label><input type="checkbox" name="confirmed" value="true" required> I started this login myself</label>
  <p><button type="submit">Login</button> <a href="/interaction/<%= uid %>/abort">Cancel</a></p>
</form>
`;

describe('a person signs in through an operator-written views directory in Chromium', () => {
  let browser: Browser | undefined;
  let viewsPath: string;
  let proxy: TestProxy;
  let client: ClientRedirectServer;
  before(async () => {
    browser = await launchChromium();
    client = await startClientRedirectServer();
    viewsPath = await mkdtemp(join(tmpdir(), 'browser-views-'));
    await writeFile(join(viewsPath, '_layout.ejs'), REFERENCE_LAYOUT);
    await writeFile(join(viewsPath, 'confirm-login.ejs'), REFERENCE_CONFIRM_LOGIN);
    proxy = await startTestProxy({ env: { OIDC_PROVIDER_VIEWS_PATH: viewsPath } });
  });
  after(async () => {
    await browser?.close();
    await proxy?.close();
    await client?.close();
    if (viewsPath !== undefined) await rm(viewsPath, { recursive: true, force: true });
  });

  for (const viewport of VIEWPORTS) {
    it(`confirms on the operator's page, whose form has no CSRF field, and reaches the client with a code (${viewport.name})`, async (t) => {
      const chromium = browserOrSkip(t, browser);
      if (chromium === undefined) return;
      const context = await newContextAt(chromium, viewport);
      try {
        const requests = await recordRequests(context, {
          allowedOrigins: [proxy.baseUrl, proxy.idp.url, client.origin],
        });
        const page = await context.newPage();
        const authorization = await startSdkAuthorization(proxy.mcpUrl, client.redirectUri);
        const callback = await walkThroughLogin(page, {
          authorizationUrl: authorization.authorizationUrl,
          redirect: client,
          identityProviderOrigin: proxy.idp.url,
          username: `olga-${viewport.name}`,
          labels: {
            ...DEFAULT_LABELS,
            confirmCheckbox: /I started this login myself/,
            continueButton: /^Login$/,
          },
          atConfirmation: async (confirmation) => {
            assert.equal(await confirmation.locator('body.operator-views p.operator-confirm').count(), 1);
            assert.match(await confirmation.title(), /^Confirm sign-in - /);
            assert.equal(await confirmation.locator('input[name="csrf"]').count(), 0);
          },
        });

        const tokens = await finishSdkAuthorization(authorization, proxy.mcpUrl, callback);
        assert.equal(tokens.token_type.toLowerCase(), 'bearer');
        assert.deepEqual(requests.foreign(), []);
      } finally {
        await context.close();
      }
    });
  }
});
