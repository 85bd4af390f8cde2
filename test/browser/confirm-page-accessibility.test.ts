import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { horizontalOverflowPx, layoutShiftScore, runAxe, tabSequence } from './support/accessibility.ts';
import { launchChromium, newContextAt, VIEWPORTS } from './support/chromium.ts';
import { startClientRedirectServer, type ClientRedirectServer } from './support/client-redirect-server.ts';
import { openConfirmationPage } from './support/login-walk.ts';
import { startSdkAuthorization } from './support/sdk-authorization.ts';

/** WCAG 2.4.11 asks for a visible indicator; 2.4.13 (AAA) for at least 2 CSS px. */
const MIN_OUTLINE_WIDTH_PX = 2;
/** "Good" CLS per Core Web Vitals is 0.1; a page without script or late images should not shift at all. */
const MAX_LAYOUT_SHIFT = 0.001;

describe('the confirmation page is accessible in Chromium (default branding)', () => {
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
    // One freshly loaded page per width; the checks below only read it, Tab last.
    describe(`at ${viewport.name} width`, () => {
      let context: BrowserContext | undefined;
      let page: Page | undefined;
      before(async () => {
        if (browser === undefined) return;
        context = await newContextAt(browser, viewport);
        page = await context.newPage();
        const { authorizationUrl } = await startSdkAuthorization(proxy.mcpUrl, client.redirectUri);
        await openConfirmationPage(page, authorizationUrl);
      });
      after(async () => {
        await context?.close();
      });

      it('does not shift its layout after load', async (t) => {
        if (page === undefined) return t.skip('no Chromium');
        const shift = await layoutShiftScore(page);
        assert.ok(shift <= MAX_LAYOUT_SHIFT, `cumulative layout shift ${shift}`);
      });

      it('never scrolls sideways', async (t) => {
        if (page === undefined) return t.skip('no Chromium');
        assert.equal(await horizontalOverflowPx(page), 0);
      });

      it('has no axe WCAG 2.2 AA violations, with every control labelled and every text contrasted', async (t) => {
        if (page === undefined) return t.skip('no Chromium');
        const { violations, passed } = await runAxe(page);
        assert.deepEqual(violations, []);
        for (const rule of ['label', 'color-contrast', 'button-name', 'html-has-lang', 'landmark-one-main'])
          assert.ok(passed.includes(rule), `axe checked and passed ${rule}`);
      });

      it('moves focus with Tab in reading order (website, checkbox, Continue, Cancel), each with a visible outline', async (t) => {
        if (page === undefined) return t.skip('no Chromium');
        const stops = await tabSequence(page);
        assert.deepEqual(
          stops.map((stop) => stop.name),
          ['a "https://client.example/"', 'input#confirmed', 'button "Continue to sign in"', 'a "Cancel"'],
        );
        for (const stop of stops) {
          assert.equal(stop.outlineStyle, 'solid', `${stop.name} shows its focus`);
          assert.ok(
            stop.outlineWidthPx >= MIN_OUTLINE_WIDTH_PX,
            `${stop.name} outline is ${stop.outlineWidthPx}px`,
          );
        }
        // Reading order: each stop sits below the previous one, or on the same line to its right.
        for (const [index, stop] of stops.entries()) {
          const previous = stops[index - 1];
          if (previous === undefined) continue;
          const sameLine = Math.abs(stop.top - previous.top) < 1;
          assert.ok(
            sameLine ? stop.left > previous.left : stop.top > previous.top,
            `${stop.name} follows ${previous.name} on screen`,
          );
        }
      });
    });
  }
});
