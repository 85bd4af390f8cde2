import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { axeViolations, horizontalOverflowPx, STACK_TRACE_PATTERN } from './support/accessibility.ts';
import {
  browserOrSkip,
  DESKTOP,
  launchChromium,
  newContextAt,
  PHONE,
  VIEWPORTS,
} from './support/chromium.ts';
import { startClientRedirectServer, type ClientRedirectServer } from './support/client-redirect-server.ts';
import { openConfirmationPage } from './support/login-walk.ts';
import { recordRequests } from './support/request-log.ts';
import { saveScreenshot } from './support/screenshots.ts';
import { startSdkAuthorization } from './support/sdk-authorization.ts';

describe('a person who meets an error in Chromium sees a plain page or goes back to the client', () => {
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

  /** The visible text of the error page, checked for what a person must and must never see. */
  async function assertPlainErrorPage(page: Page, code: string): Promise<void> {
    const text = await page.locator('body').innerText();
    assert.match(text, new RegExp(`Error code\\s+${code}`));
    assert.doesNotMatch(text, STACK_TRACE_PATTERN);
    assert.doesNotMatch(await page.content(), STACK_TRACE_PATTERN);
    assert.ok(await page.getByRole('heading', { level: 1 }).isVisible());
    assert.deepEqual(await axeViolations(page), []);
    assert.equal(await horizontalOverflowPx(page), 0);
  }

  it('shows the error page without a stack trace for an interaction this browser never started', async (t) => {
    const chromium = browserOrSkip(t, browser);
    if (chromium === undefined) return;
    for (const viewport of VIEWPORTS) {
      const context = await newContextAt(chromium, viewport);
      try {
        const requests = await recordRequests(context, { allowedOrigins: [proxy.baseUrl] });
        const page = await context.newPage();
        const response = await page.goto(`${proxy.baseUrl}/interaction/no-such-interaction`);
        assert.equal(response?.status(), 400);
        assert.match(response?.headers()['content-type'] ?? '', /^text\/html/);
        await assertPlainErrorPage(page, 'invalid_request');
        await saveScreenshot(page, `error-${viewport.name}`);
        assert.deepEqual(requests.foreign(), []);
      } finally {
        await context.close();
      }
    }
  });

  it('shows the error page without a stack trace for an authorization request from an unknown client', async (t) => {
    const chromium = browserOrSkip(t, browser);
    if (chromium === undefined) return;
    const context = await newContextAt(chromium, DESKTOP);
    try {
      const page = await context.newPage();
      const url = new URL(`${proxy.baseUrl}/authorize`);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: 'no-such-client',
        redirect_uri: client.redirectUri,
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }).toString();
      const response = await page.goto(url.href);
      assert.equal(response?.status(), 400);
      await assertPlainErrorPage(page, 'invalid_client');
      assert.deepEqual(client.received, [], 'an unverified redirect URI is never used');
    } finally {
      await context.close();
    }
  });

  it('returns the person to the client with access_denied when they press Cancel', async (t) => {
    const chromium = browserOrSkip(t, browser);
    if (chromium === undefined) return;
    const context = await newContextAt(chromium, PHONE);
    try {
      const page = await context.newPage();
      const { authorizationUrl } = await startSdkAuthorization(proxy.mcpUrl, client.redirectUri);
      await openConfirmationPage(page, authorizationUrl);
      await page.getByRole('link', { name: 'Cancel' }).click();
      await page.waitForURL((url) => url.origin === client.origin);
      const callback = new URL(page.url());
      assert.equal(callback.searchParams.get('error'), 'access_denied');
      assert.equal(callback.searchParams.get('code'), null);
      assert.doesNotMatch(callback.searchParams.get('error_description') ?? '', STACK_TRACE_PATTERN);
      assert.equal(proxy.idp.counts.authorize, 0, 'the IdP is never asked');
    } finally {
      await context.close();
    }
  });
});
