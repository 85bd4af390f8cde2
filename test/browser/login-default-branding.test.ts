import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { browserOrSkip, launchChromium, newContextAt, VIEWPORTS } from './support/chromium.ts';
import { startClientRedirectServer, type ClientRedirectServer } from './support/client-redirect-server.ts';
import { walkThroughLogin } from './support/login-walk.ts';
import { recordRequests, resourceUrlsInMarkup } from './support/request-log.ts';
import { saveScreenshot } from './support/screenshots.ts';
import { finishSdkAuthorization, startSdkAuthorization } from './support/sdk-authorization.ts';

describe('a person signs in through the proxy in Chromium (default branding)', () => {
  let browser: Browser | undefined;
  let proxy: TestProxy;
  let client: ClientRedirectServer;
  before(async () => {
    browser = await launchChromium();
    client = await startClientRedirectServer();
    proxy = await startTestProxy();
  });
  after(async () => {
    await browser?.close();
    await proxy?.close();
    await client?.close();
  });

  for (const viewport of VIEWPORTS) {
    it(`clicks from the authorization URL through confirmation and IdP login to the client with a code (${viewport.name})`, async (t) => {
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
          username: `alice-${viewport.name}`,
          atConfirmation: async (confirmation) => {
            await confirmation.getByRole('heading', { level: 1 }).waitFor();
            assert.equal(await confirmation.title(), 'Confirm sign-in | Login for Model Context Protocol');
            assert.ok(await confirmation.getByText('Example MCP Client').first().isVisible());
            assert.deepEqual(
              await resourceUrlsInMarkup(confirmation),
              [],
              'the page loads no resource at all',
            );
            await saveScreenshot(confirmation, `confirm-default-${viewport.name}`);
          },
        });

        assert.equal(callback.searchParams.get('iss'), proxy.baseUrl);
        const tokens = await finishSdkAuthorization(authorization, proxy.mcpUrl, callback);
        assert.equal(tokens.token_type.toLowerCase(), 'bearer');
        assert.deepEqual(requests.foreign(), [], 'the pages load nothing from other origins');
      } finally {
        await context.close();
      }
    });
  }
});
