/**
 * The connected-apps page (/account) in Chromium, as a person uses it: signed
 * in to two MCP client applications, they open the page, sign in at the IdP,
 * read what each app may do, and revoke one with its button. At phone and
 * desktop widths: axe (WCAG 2.2 AA), no sideways scroll, nothing loaded from
 * elsewhere, and the screenshots the README shows (UPDATE_SCREENSHOTS=1).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { mcpStatusWith } from '../support/raw-oauth.ts';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { connectApp, type ConnectedClient } from '../e2e/account/account-steps.ts';
import { horizontalOverflowPx, runAxe } from './support/accessibility.ts';
import { DESKTOP, launchChromium, newContextAt, type Viewport } from './support/chromium.ts';
import { DEFAULT_LABELS } from './support/login-walk.ts';
import { recordRequests, resourceUrlsInMarkup, type RequestLog } from './support/request-log.ts';
import { saveScreenshot } from './support/screenshots.ts';

/** A current phone (iPhone 12 to 15 in CSS pixels). */
const PHONE: Viewport = {
  name: 'phone',
  options: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
};

/** Opens /account in a fresh page, signs in at the IdP as `username`, and waits for the list. */
async function signInToAccountPage(page: Page, proxy: TestProxy, username: string): Promise<void> {
  await page.goto(`${proxy.baseUrl}/account`);
  await page.waitForURL((url) => url.origin === new URL(proxy.idp.url).origin);
  await page.getByLabel(DEFAULT_LABELS.username).fill(username);
  await page.getByRole('button', { name: DEFAULT_LABELS.signInButton }).click();
  await page.waitForURL((url) => url.href === `${proxy.baseUrl}/account`);
  await page.getByRole('heading', { level: 1, name: 'Connected apps' }).waitFor();
}

describe('the connected-apps page in Chromium', () => {
  let browser: Browser | undefined;
  let proxy: TestProxy;
  let notes: ConnectedClient;
  let editor: ConnectedClient;
  before(async () => {
    browser = await launchChromium();
    // A display name for the server, as a servers file gives one.
    proxy = await startTestProxy({ servers: ([first]) => [{ ...first, displayName: 'Team notes' }] });
    notes = await connectApp(proxy.mcpUrl, 'alice', 'Notes Assistant');
    editor = await connectApp(proxy.mcpUrl, 'alice', 'Code Editor');
  });
  after(async () => {
    await browser?.close();
    await proxy?.close();
  });

  for (const viewport of [PHONE, DESKTOP]) {
    describe(`at ${viewport.name} width (${viewport.options.viewport?.width ?? 0} px)`, () => {
      let context: BrowserContext | undefined;
      let page: Page | undefined;
      let requests: RequestLog | undefined;
      before(async () => {
        if (browser === undefined) return;
        context = await newContextAt(browser, viewport);
        requests = await recordRequests(context, { allowedOrigins: [proxy.baseUrl, proxy.idp.url] });
        page = await context.newPage();
        await signInToAccountPage(page, proxy, 'alice');
      });
      after(async () => {
        await context?.close();
      });

      it('names each app under its own heading, with its server and a revoke button named for it', async (t) => {
        if (page === undefined) return t.skip('no Chromium');
        const apps = page.getByRole('list', { name: 'Apps with access' }).getByRole('heading', { level: 2 });
        assert.deepEqual((await apps.allInnerTexts()).sort(), ['Code Editor', 'Notes Assistant']);
        for (const name of ['Code Editor', 'Notes Assistant'])
          assert.ok(await page.getByRole('button', { name: `Revoke access for ${name}` }).isVisible());
        assert.equal(await page.getByText('Team notes').count(), 2);
        assert.ok(await page.getByRole('button', { name: 'Sign out' }).isVisible());
        await saveScreenshot(page, `account-page-${viewport.name}`);
      });

      it('has no axe WCAG 2.2 AA violations', async (t) => {
        if (page === undefined) return t.skip('no Chromium');
        const { violations, passed } = await runAxe(page);
        assert.deepEqual(violations, []);
        for (const rule of ['color-contrast', 'button-name', 'heading-order', 'landmark-one-main', 'list'])
          assert.ok(passed.includes(rule), `axe checked and passed ${rule}`);
      });

      it('never scrolls sideways', async (t) => {
        if (page === undefined) return t.skip('no Chromium');
        assert.equal(await horizontalOverflowPx(page), 0);
      });

      it('loads nothing from another origin, and no resource at all', async (t) => {
        if (page === undefined || requests === undefined) return t.skip('no Chromium');
        assert.deepEqual(requests.foreign(), []);
        assert.deepEqual(await resourceUrlsInMarkup(page), []);
      });
    });
  }

  it('revokes an app with its button: the page says so, its next MCP call gets 401, the other app keeps working', async (t) => {
    if (browser === undefined) return t.skip('no Chromium');
    const context = await newContextAt(browser, DESKTOP);
    try {
      const page = await context.newPage();
      await signInToAccountPage(page, proxy, 'alice');
      await page.getByRole('button', { name: 'Revoke access for Notes Assistant' }).click();
      await page.getByRole('status').waitFor();
      assert.match(await page.getByRole('status').innerText(), /^Notes Assistant no longer has access/);
      const apps = page.getByRole('list', { name: 'Apps with access' }).getByRole('heading', { level: 2 });
      assert.deepEqual(await apps.allInnerTexts(), ['Code Editor']);
      assert.equal(await mcpStatusWith(proxy.mcpUrl, notes.tokens.access_token), 401);
      assert.equal(await mcpStatusWith(proxy.mcpUrl, editor.tokens.access_token), 200);
      assert.deepEqual((await runAxe(page)).violations, [], 'the notice keeps the page accessible');
    } finally {
      await context.close();
    }
  });
});
