import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { HEROKU_FAVICON_URL } from '../../src/views/index.ts';
import { startFakeIdp, type FakeIdp } from '../support/fake-idp.ts';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { axeViolations, horizontalOverflowPx, layoutShiftScore } from './support/accessibility.ts';
import { browserOrSkip, launchChromium, newContextAt, VIEWPORTS } from './support/chromium.ts';
import { startClientRedirectServer, type ClientRedirectServer } from './support/client-redirect-server.ts';
import { walkThroughLogin } from './support/login-walk.ts';
import { recordRequests, resourceUrlsInMarkup } from './support/request-log.ts';
import { saveScreenshot } from './support/screenshots.ts';
import { finishSdkAuthorization, startSdkAuthorization } from './support/sdk-authorization.ts';

/**
 * Heroku branding follows the IdP's host (src/views/branding.ts). The proxy is
 * told IDENTITY_SERVER_URL=https://id.heroku.com, as a Heroku deployment is,
 * while IDENTITY_SERVER_METADATA_FILE (which wins for the endpoints) points the
 * login at the local fake IdP in its Heroku mode.
 */
describe('a person signs in through the proxy in Chromium (Heroku branding)', () => {
  let browser: Browser | undefined;
  let idp: FakeIdp;
  let metadataDir: string;
  let proxy: TestProxy;
  let client: ClientRedirectServer;
  before(async () => {
    browser = await launchChromium();
    client = await startClientRedirectServer();
    idp = await startFakeIdp({ mode: 'heroku' });
    metadataDir = await mkdtemp(join(tmpdir(), 'browser-heroku-'));
    proxy = await startTestProxy({
      idp,
      env: {
        IDENTITY_SERVER_URL: 'https://id.heroku.com',
        IDENTITY_SERVER_METADATA_FILE: await idp.writeMetadataFile(metadataDir),
      },
    });
  });
  after(async () => {
    await browser?.close();
    await proxy?.close();
    await idp?.close();
    await client?.close();
    if (metadataDir !== undefined) await rm(metadataDir, { recursive: true, force: true });
  });

  for (const viewport of VIEWPORTS) {
    it(`clicks through the Heroku-branded confirmation to the client with a code, loading only the Heroku favicon from elsewhere (${viewport.name})`, async (t) => {
      const chromium = browserOrSkip(t, browser);
      if (chromium === undefined) return;
      const context = await newContextAt(chromium, viewport);
      try {
        const requests = await recordRequests(context, {
          allowedOrigins: [proxy.baseUrl, idp.url, client.origin],
          stubbedOrigins: [new URL(HEROKU_FAVICON_URL).origin],
        });
        const page = await context.newPage();
        const authorization = await startSdkAuthorization(proxy.mcpUrl, client.redirectUri);
        const callback = await walkThroughLogin(page, {
          authorizationUrl: authorization.authorizationUrl,
          redirect: client,
          identityProviderOrigin: idp.url,
          username: `hana-${viewport.name}`,
          atConfirmation: async (confirmation) => {
            assert.equal(
              await confirmation.title(),
              'Confirm sign-in | Login for Model Context Protocol | Heroku',
            );
            assert.ok(
              await confirmation.getByRole('img', { name: 'Heroku' }).isHidden(),
              'the logo is decorative',
            );
            assert.ok(
              await confirmation
                .getByText(/through id\.heroku\.com/)
                .first()
                .isVisible(),
            );
            // The one resource from elsewhere, allowed by the branding (and stubbed if fetched).
            assert.deepEqual(await resourceUrlsInMarkup(confirmation), [HEROKU_FAVICON_URL]);
            assert.deepEqual(await axeViolations(confirmation), []);
            assert.equal(await horizontalOverflowPx(confirmation), 0);
            assert.ok((await layoutShiftScore(confirmation)) <= 0.001);
            await saveScreenshot(confirmation, `confirm-heroku-${viewport.name}`);
          },
        });

        const tokens = await finishSdkAuthorization(authorization, proxy.mcpUrl, callback);
        assert.equal(tokens.token_type.toLowerCase(), 'bearer');
        assert.deepEqual(requests.foreign(), [], 'nothing else is loaded from other origins');
        for (const url of requests.stubbed()) assert.equal(url, HEROKU_FAVICON_URL);
      } finally {
        await context.close();
      }
    });
  }
});
