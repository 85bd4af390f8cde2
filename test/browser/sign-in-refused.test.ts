/**
 * A person the access rules refuse at sign-in, in Chromium at phone and desktop widths: the page says which
 * rule and why, passes axe, and its link takes them back to the application, which gets access_denied.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { axeViolations, horizontalOverflowPx, STACK_TRACE_PATTERN } from './support/accessibility.ts';
import { browserOrSkip, launchChromium, newContextAt, VIEWPORTS } from './support/chromium.ts';
import { startClientRedirectServer, type ClientRedirectServer } from './support/client-redirect-server.ts';
import { DEFAULT_LABELS, openConfirmationPage } from './support/login-walk.ts';
import { recordRequests } from './support/request-log.ts';
import { saveScreenshot } from './support/screenshots.ts';
import { startSdkAuthorization } from './support/sdk-authorization.ts';

const RULES = `signIn:
  - id: staff-only
    deny: true
    unless: { emailDomain: [example.com] }
    description: This service is for example.com staff.
`;

describe('a sign-in the access rules refuse, in Chromium', () => {
  let browser: Browser | undefined;
  let proxy: TestProxy;
  let client: ClientRedirectServer;
  let dir: string;
  before(async () => {
    browser = await launchChromium();
    client = await startClientRedirectServer();
    dir = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-browser-rules-'));
    await writeFile(join(dir, 'rules.yaml'), RULES);
    proxy = await startTestProxy({ env: { MCP_AUTH_PROXY_ACCESS_RULES_FILE: join(dir, 'rules.yaml') } });
  });
  after(async () => {
    await browser?.close();
    await proxy?.close();
    await client?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('names the rule and why on a plain page, then sends the person back with access_denied', async (t) => {
    const chromium = browserOrSkip(t, browser);
    if (chromium === undefined) return;
    for (const viewport of VIEWPORTS) {
      const context = await newContextAt(chromium, viewport);
      try {
        const requests = await recordRequests(context, {
          allowedOrigins: [proxy.baseUrl, proxy.idp.url, client.origin],
        });
        const page = await context.newPage();
        const { authorizationUrl } = await startSdkAuthorization(proxy.mcpUrl, client.redirectUri);
        await openConfirmationPage(page, authorizationUrl);
        await page.getByLabel(DEFAULT_LABELS.confirmCheckbox).check();
        await page.getByRole('button', { name: DEFAULT_LABELS.continueButton }).click();
        await page.getByLabel(DEFAULT_LABELS.username).fill('mallory');
        const refused = page.waitForResponse((response) => response.status() === 403);
        await page.getByRole('button', { name: DEFAULT_LABELS.signInButton }).click();
        await refused;
        await page.getByRole('heading', { level: 1, name: 'Sign-in refused' }).waitFor();
        const text = await page.locator('body').innerText();
        assert.match(text, /This service is for example\.com staff\./);
        assert.match(text, /Refused by rule\s+staff-only/);
        assert.doesNotMatch(text, STACK_TRACE_PATTERN);
        assert.deepEqual(await axeViolations(page), []);
        assert.equal(await horizontalOverflowPx(page), 0);
        await saveScreenshot(page, `signin-refused-${viewport.name}`);

        await page.getByRole('link', { name: /^Back to / }).click();
        await page.waitForURL((url) => url.origin === client.origin);
        const callback = new URL(page.url());
        assert.equal(callback.searchParams.get('error'), 'access_denied');
        assert.match(callback.searchParams.get('error_description') ?? '', /rule "staff-only"/);
        assert.equal(callback.searchParams.get('code'), null);
        assert.deepEqual(requests.foreign(), []);
      } finally {
        await context.close();
      }
    }
  });
});
