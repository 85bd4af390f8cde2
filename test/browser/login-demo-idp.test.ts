import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startDemo, type Demo } from '../../src/demo/index.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { freePort } from '../support/free-port.ts';
import { runAxe, horizontalOverflowPx, layoutShiftScore, tabSequence } from './support/accessibility.ts';
import { browserOrSkip, launchChromium, newContextAt, VIEWPORTS } from './support/chromium.ts';
import { startClientRedirectServer, type ClientRedirectServer } from './support/client-redirect-server.ts';
import { DEFAULT_LABELS, walkThroughLogin } from './support/login-walk.ts';
import { recordRequests, resourceUrlsInMarkup } from './support/request-log.ts';
import { saveScreenshot } from './support/screenshots.ts';
import { finishSdkAuthorization, startSdkAuthorization } from './support/sdk-authorization.ts';

/**
 * The demo as `npm run demo` starts it (startDemo: development IdP, example
 * MCP server, proxy on http://localhost:<PORT>), driven in Chromium through
 * the development IdP's own sign-in page.
 */
describe('a person signs in to the demo through the development IdP in Chromium', () => {
  let browser: Browser | undefined;
  let cwd: string;
  let demo: Demo;
  let client: ClientRedirectServer;
  before(async () => {
    browser = await launchChromium();
    client = await startClientRedirectServer();
    cwd = await mkdtemp(join(tmpdir(), 'browser-demo-'));
    demo = await startDemo({
      environment: { PORT: String(await freePort()), LOG_LEVEL: 'warn' },
      cwd,
      createLogger: () => silentLogger,
    });
  });
  after(async () => {
    await browser?.close();
    await demo?.close();
    await client?.close();
    if (cwd !== undefined) await rm(cwd, { recursive: true, force: true });
  });

  for (const viewport of VIEWPORTS) {
    it(`types a user name on the accessible development IdP page and reaches the client with a code (${viewport.name})`, async (t) => {
      const chromium = browserOrSkip(t, browser);
      if (chromium === undefined) return;
      const context = await newContextAt(chromium, viewport);
      try {
        const proxyOrigin = new URL(demo.mcpUrl).origin;
        const identityProviderOrigin = demo.identityProvider.url;
        const requests = await recordRequests(context, {
          allowedOrigins: [proxyOrigin, identityProviderOrigin, client.origin],
        });
        const page = await context.newPage();
        const authorization = await startSdkAuthorization(demo.mcpUrl, client.redirectUri);
        const callback = await walkThroughLogin(page, {
          authorizationUrl: authorization.authorizationUrl,
          redirect: client,
          identityProviderOrigin,
          username: `dana-${viewport.name}`,
          labels: { ...DEFAULT_LABELS, username: /^User name$/, signInButton: /^Sign in$/ },
          atIdentityProvider: async (login) => {
            assert.equal(await login.getByRole('heading', { level: 1 }).innerText(), 'Sign in');
            assert.deepEqual(await resourceUrlsInMarkup(login), []);
            const { violations, passed } = await runAxe(login);
            assert.deepEqual(violations, []);
            for (const rule of ['label', 'color-contrast', 'html-has-lang'])
              assert.ok(passed.includes(rule), `axe checked and passed ${rule}`);
            assert.ok((await layoutShiftScore(login)) <= 0.001);
            assert.equal(await horizontalOverflowPx(login), 0);
            await saveScreenshot(login, `idp-login-${viewport.name}`);
            const stops = await tabSequence(login);
            assert.deepEqual(
              stops.map((stop) => stop.name),
              ['input#username', 'button "Sign in"'],
            );
            for (const stop of stops)
              assert.equal(stop.outlineStyle, 'solid', `${stop.name} shows its focus`);
          },
        });

        const tokens = await finishSdkAuthorization(authorization, demo.mcpUrl, callback);
        assert.equal(tokens.token_type.toLowerCase(), 'bearer');
        assert.deepEqual(requests.foreign(), []);
      } finally {
        await context.close();
      }
    });
  }
});
