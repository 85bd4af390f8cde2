/**
 * The device flow's pages in Chromium (RFC 8628 §3.3): the person opens the
 * verification link, checks or types the code, confirms the client on the
 * confirmation page, signs in at the IdP and ends on the success page, while
 * the device polls. Also the same pages inside an operator's views directory
 * that has only `_layout.ejs` and `confirm-login.ejs` (the reference's).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { pollToken, registerDeviceClient, startDeviceAuthorization } from '../support/device-flow-steps.ts';
import { whoami } from '../support/login-bridge-steps.ts';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { axeViolations, horizontalOverflowPx } from './support/accessibility.ts';
import { browserOrSkip, DESKTOP, launchChromium, newContextAt, PHONE } from './support/chromium.ts';
import { DEFAULT_LABELS } from './support/login-walk.ts';
import { saveScreenshot } from './support/screenshots.ts';

/** Console errors (CSP violations among them) of every page in the context; the absent favicon aside. */
function consoleErrors(context: BrowserContext): string[] {
  const errors: string[] = [];
  context.on('console', (message) => {
    if (message.type() !== 'error' || message.location().url.endsWith('/favicon.ico')) return;
    errors.push(`${message.text()} (${message.location().url})`);
  });
  return errors;
}

async function clickAndWaitFor(page: Page, name: RegExp, pathname: RegExp): Promise<void> {
  const before = page.url();
  await page.getByRole('button', { name }).click();
  await page.waitForURL((url) => url.href !== before && pathname.test(url.pathname));
}

describe('a person connects a device in Chromium', () => {
  let browser: Browser | undefined;
  let proxy: TestProxy;
  before(async () => {
    browser = await launchChromium();
    proxy = await startTestProxy();
  });
  after(async () => {
    await browser?.close();
    await proxy?.close();
  });

  it('follows the verification link, checks the code, confirms the client, signs in, and the device gets tokens', async (t) => {
    const chromium = browserOrSkip(t, browser);
    if (chromium === undefined) return;
    const client = await registerDeviceClient(proxy.baseUrl, { client_name: 'Living Room TV' });
    const device = await startDeviceAuthorization(proxy.baseUrl, client.client_id);
    const context = await newContextAt(chromium, DESKTOP);
    const errors = consoleErrors(context);
    try {
      const page = await context.newPage();
      // The link carries the code: oidc-provider posts it on, and the page asks to check it.
      await page.goto(device.verification_uri_complete);
      await page.getByRole('heading', { level: 1, name: 'Check the code' }).waitFor();
      assert.equal(await page.getByLabel('Code', { exact: true }).inputValue(), device.user_code);
      assert.deepEqual(await axeViolations(page), []);
      await saveScreenshot(page, 'device-check-code-desktop');

      await clickAndWaitFor(page, /^Continue$/, /^\/interaction\//);
      const lead = await page.locator('p.lead').innerText();
      assert.match(lead, /Living Room TV on another device wants you to sign in/);
      assert.equal(await page.locator('.user-code').first().innerText(), device.user_code);
      assert.deepEqual(await axeViolations(page), []);
      await saveScreenshot(page, 'device-confirm-desktop');

      await page.getByLabel(DEFAULT_LABELS.confirmCheckbox).check();
      await page.getByRole('button', { name: DEFAULT_LABELS.continueButton }).click();
      await page.waitForURL((url) => url.origin === proxy.idp.url);
      await page.getByLabel(DEFAULT_LABELS.username).fill('tess');
      await clickAndWaitFor(page, DEFAULT_LABELS.signInButton, /^\/device\/[^/]+$/);
      await page.getByRole('heading', { level: 1, name: 'Device connected' }).waitFor();
      assert.match(await page.locator('main').innerText(), /Living Room TV is now connected/);
      assert.deepEqual(await axeViolations(page), []);
      await saveScreenshot(page, 'device-connected-desktop');
      assert.deepEqual(errors, [], 'no page logged an error (a CSP violation would)');
    } finally {
      await context.close();
    }

    const tokens = await pollToken(proxy.baseUrl, client.client_id, device.device_code);
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    assert.equal(await whoami(proxy.mcpUrl, tokens.body['access_token'] as string), 'tess');
  });

  it('types the code on a phone, cancels on the confirmation page, and the device is refused', async (t) => {
    const chromium = browserOrSkip(t, browser);
    if (chromium === undefined) return;
    const client = await registerDeviceClient(proxy.baseUrl, { client_name: 'Unknown Gadget' });
    const device = await startDeviceAuthorization(proxy.baseUrl, client.client_id);
    const context = await newContextAt(chromium, PHONE);
    try {
      const page = await context.newPage();
      await page.goto(device.verification_uri);
      await page.getByRole('heading', { level: 1, name: 'Connect a device' }).waitFor();
      assert.equal(await horizontalOverflowPx(page), 0);
      assert.deepEqual(await axeViolations(page), []);
      await saveScreenshot(page, 'device-enter-code-phone');

      await page.getByLabel('Code', { exact: true }).fill('wxyz-wxyz');
      // The answer is the same address (a POST to /device): wait for the new heading instead.
      await page.getByRole('button', { name: /^Continue$/ }).click();
      await page.getByRole('heading', { level: 1, name: 'Check the code and try again' }).waitFor();
      assert.match(await page.getByRole('alert').innerText(), /That code is not valid/);

      await page.getByLabel('Code', { exact: true }).fill(device.user_code.toLowerCase());
      await clickAndWaitFor(page, /^Continue$/, /^\/interaction\//);
      assert.equal(await horizontalOverflowPx(page), 0);
      const before = page.url();
      await page.getByRole('link', { name: 'Cancel' }).click();
      await page.waitForURL((url) => url.href !== before && /^\/device\//.test(url.pathname));
      await page.getByRole('heading', { level: 1, name: 'Sign-in cancelled' }).waitFor();
      assert.deepEqual(await axeViolations(page), []);
    } finally {
      await context.close();
    }

    const denied = await pollToken(proxy.baseUrl, client.client_id, device.device_code);
    assert.equal(denied.body['error'], 'access_denied');
  });
});

const OPERATOR_LAYOUT = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title><%= title %> - <%= branding.title %></title></head>
<body class="operator-views"><h1><%= title %></h1><%- body %></body>
</html>
`;
const OPERATOR_CONFIRM_LOGIN = `<p class="operator-confirm"><%= client.clientName || client.clientId %> asks to sign you in.</p>
<form method="post" action="/interaction/<%= uid %>/confirm-login">
  <label><input type="checkbox" name="confirmed" value="true" required> I started this login myself</label>
  <p><button type="submit">Login</button> <a href="/interaction/<%= uid %>/abort">Cancel</a></p>
</form>
`;

describe('the device pages inside an operator-written views directory', () => {
  let browser: Browser | undefined;
  let proxy: TestProxy;
  let viewsPath: string;
  before(async () => {
    browser = await launchChromium();
    viewsPath = await mkdtemp(join(tmpdir(), 'device-views-'));
    await writeFile(join(viewsPath, '_layout.ejs'), OPERATOR_LAYOUT);
    await writeFile(join(viewsPath, 'confirm-login.ejs'), OPERATOR_CONFIRM_LOGIN);
    proxy = await startTestProxy({ env: { OIDC_PROVIDER_VIEWS_PATH: viewsPath } });
  });
  after(async () => {
    await browser?.close();
    await proxy?.close();
    if (viewsPath !== undefined) await rm(viewsPath, { recursive: true, force: true });
  });

  it('renders our code-entry and success pages in the operator layout, and the operator confirmation', async (t) => {
    const chromium = browserOrSkip(t, browser);
    if (chromium === undefined) return;
    const client = await registerDeviceClient(proxy.baseUrl, { client_name: 'Operator Device' });
    const device = await startDeviceAuthorization(proxy.baseUrl, client.client_id);
    const context = await newContextAt(chromium, DESKTOP);
    try {
      const page = await context.newPage();
      await page.goto(device.verification_uri);
      assert.equal(await page.locator('body.operator-views form input[name="xsrf"]').count(), 1);
      assert.match(await page.title(), /^Connect a device - /);
      await page.getByLabel('Code', { exact: true }).fill(device.user_code);
      await clickAndWaitFor(page, /^Continue$/, /^\/interaction\//);
      assert.equal(await page.locator('body.operator-views p.operator-confirm').count(), 1);
      await page.getByLabel(/I started this login myself/).check();
      await page.getByRole('button', { name: /^Login$/ }).click();
      await page.waitForURL((url) => url.origin === proxy.idp.url);
      await page.getByLabel(DEFAULT_LABELS.username).fill('olga');
      await clickAndWaitFor(page, DEFAULT_LABELS.signInButton, /^\/device\/[^/]+$/);
      assert.match(await page.locator('body.operator-views').innerText(), /Operator Device is now connected/);
    } finally {
      await context.close();
    }
    const tokens = await pollToken(proxy.baseUrl, client.client_id, device.device_code);
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
  });
});
