/**
 * The device authorization grant (RFC 8628), end to end against the running
 * proxy: a client that cannot open a browser gets a code pair, the person
 * types the code at the verification URI, sees the same confirmation page as
 * the code flow (naming the client, showing the code), signs in at the IdP,
 * and the device's polling gets tokens that the MCP endpoint accepts and
 * swaps for that person's IdP token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createManualClock, type ManualClock } from '../../contract/manual-clock.ts';
import {
  confirmAndSignIn,
  DEVICE_CODE_GRANT,
  enterUserCode,
  pollToken,
  postPageForm,
  registerDeviceClient,
  requestDeviceAuthorization,
  startDeviceAuthorization,
} from '../../support/device-flow-steps.ts';
import {
  browse,
  expectStop,
  refreshTokens,
  registerClient,
  whoami,
} from '../../support/login-bridge-steps.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';

const INTERVAL_MS = 5_000;

describe('the device authorization grant', () => {
  let proxy: TestProxy;
  // Frozen at the start, moved only by the tests: poll pacing and expiry are decided on it.
  let clock: ManualClock;

  before(async () => {
    clock = createManualClock(Date.now());
    proxy = await startTestProxy({ clock });
  });
  after(async () => {
    await proxy.close();
  });

  it('is advertised in the authorization server metadata', async () => {
    const metadata = (await (
      await fetch(`${proxy.baseUrl}/.well-known/oauth-authorization-server`)
    ).json()) as Record<string, unknown>;
    assert.equal(metadata['device_authorization_endpoint'], `${proxy.baseUrl}/device/auth`);
    assert.ok((metadata['grant_types_supported'] as string[]).includes(DEVICE_CODE_GRANT));
  });

  it('gives a public client tokens that call a tool through /mcp as the person who confirmed it', async () => {
    const client = await registerDeviceClient(proxy.baseUrl, { client_name: 'Kiosk Terminal' });
    const device = await startDeviceAuthorization(proxy.baseUrl, client.client_id, {
      scope: 'openid offline_access',
    });
    assert.match(device.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    assert.equal(device.verification_uri, `${proxy.baseUrl}/device`);
    assert.equal(device.interval, 5);
    assert.equal(device.expires_in, 600);

    const pending = await pollToken(proxy.baseUrl, client.client_id, device.device_code);
    assert.equal(pending.status, 400);
    assert.equal(pending.body['error'], 'authorization_pending');

    const agent = new UserAgent();
    // Typed as people do: lower case, without the dash.
    const typed = device.user_code.replace('-', '').toLowerCase();
    const confirmation = expectStop(
      await enterUserCode(agent, proxy.idp, device.verification_uri, typed),
      'page',
    );
    assert.equal(confirmation.status, 200);
    assert.match(confirmation.url.pathname, /^\/interaction\/[^/]+$/);
    assert.match(confirmation.html, /Kiosk Terminal/);
    assert.ok(confirmation.html.includes(device.user_code), 'the page shows the code to compare');
    assert.match(confirmation.html, /If someone else gave you this code, cancel/);
    assert.equal(confirmation.headers.get('x-frame-options'), 'DENY');

    const success = await confirmAndSignIn(agent, proxy.idp, confirmation, 'alice');
    assert.equal(success.status, 200);
    assert.match(success.url.pathname, /^\/device\/[^/]+$/);
    assert.match(success.html, /Kiosk Terminal<\/strong> is now connected/);
    assert.match(success.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);

    clock.advance(INTERVAL_MS);
    const tokens = await pollToken(proxy.baseUrl, client.client_id, device.device_code);
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    assert.equal(tokens.body['token_type'], 'Bearer');
    const accessToken = tokens.body['access_token'] as string;
    assert.equal(await whoami(proxy.mcpUrl, accessToken), 'alice');
    const upstream = proxy.mcp.seenAuthorizations.at(-1) ?? '';
    assert.equal(proxy.idp.userForAccessToken(upstream.replace(/^bearer /i, '')), 'alice');

    const refreshed = await refreshTokens(
      proxy.baseUrl,
      client.client_id,
      tokens.body['refresh_token'] as string,
      proxy.mcpUrl,
    );
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    const again = (refreshed.body as { access_token: string }).access_token;
    assert.equal(await whoami(proxy.mcpUrl, again), 'alice');

    const replay = await pollToken(proxy.baseUrl, client.client_id, device.device_code);
    assert.equal(replay.body['error'], 'invalid_grant', 'a device code gives tokens once');
  });

  it('confirms the client every time a device asks, even when this browser confirmed it before', async () => {
    const client = await registerDeviceClient(proxy.baseUrl, { client_name: 'Twice Device' });
    const agent = new UserAgent();
    for (const username of ['bob', 'bob']) {
      const device = await startDeviceAuthorization(proxy.baseUrl, client.client_id);
      const confirmation = expectStop(
        await enterUserCode(agent, proxy.idp, device.verification_uri, device.user_code),
        'page',
      );
      assert.match(confirmation.html, /Twice Device/);
      await confirmAndSignIn(agent, proxy.idp, confirmation, username);
    }
  });

  it('keeps no device code in clear in the store, the user-code index and the interaction included', async () => {
    const client = await registerDeviceClient(proxy.baseUrl);
    const device = await startDeviceAuthorization(proxy.baseUrl, client.client_id);
    const agent = new UserAgent();
    // On the confirmation page: the code, its user-code index and the interaction all exist now.
    expectStop(await enterUserCode(agent, proxy.idp, device.verification_uri, device.user_code), 'page');
    const dump: string[] = [];
    for await (const key of proxy.app.store.keys('')) dump.push(key, (await proxy.app.store.get(key)) ?? '');
    assert.ok(
      dump.some((entry) => entry.startsWith('userCode:DeviceCode:')),
      'the index was looked at',
    );
    assert.ok(
      dump.some((entry) => entry.includes('"deviceCode"')),
      'the interaction was looked at',
    );
    assert.equal(
      dump.filter((entry) => entry.includes(device.device_code)).length,
      0,
      'the device code appears nowhere',
    );
  });

  it('answers slow_down to a device that polls before the interval, and raises the interval', async () => {
    const client = await registerDeviceClient(proxy.baseUrl);
    const device = await startDeviceAuthorization(proxy.baseUrl, client.client_id);
    const first = await pollToken(proxy.baseUrl, client.client_id, device.device_code);
    assert.equal(first.body['error'], 'authorization_pending');
    const fast = await pollToken(proxy.baseUrl, client.client_id, device.device_code);
    assert.equal(fast.status, 400);
    assert.equal(fast.body['error'], 'slow_down');
    clock.advance(INTERVAL_MS);
    const stillFast = await pollToken(proxy.baseUrl, client.client_id, device.device_code);
    assert.equal(stillFast.body['error'], 'slow_down', 'the interval is now 10 s, so 5 s is too soon');
    assert.match(String(stillFast.body['error_description']), /at least 15 seconds/);
    clock.advance(3 * INTERVAL_MS);
    const paced = await pollToken(proxy.baseUrl, client.client_id, device.device_code);
    assert.equal(paced.body['error'], 'authorization_pending');
  });

  it('answers access_denied on the next poll when the person cancels on the confirmation page', async () => {
    const client = await registerDeviceClient(proxy.baseUrl, { client_name: 'Unwanted Device' });
    const device = await startDeviceAuthorization(proxy.baseUrl, client.client_id);
    const agent = new UserAgent();
    const confirmation = expectStop(
      await enterUserCode(agent, proxy.idp, device.verification_uri, device.user_code),
      'page',
    );
    const cancelHref = /href="([^"]*\/abort)"/.exec(confirmation.html)?.[1];
    assert.ok(cancelHref !== undefined, 'the page has a Cancel link');
    const authorizeCalls = proxy.idp.counts.authorize;
    const cancelled = expectStop(
      await browse(agent, new URL(cancelHref, confirmation.url), {
        idpUrl: proxy.idp.url,
        redirectUri: 'unused:',
      }),
      'page',
    );
    assert.match(cancelled.url.pathname, /^\/device\/[^/]+$/);
    assert.match(cancelled.html, /You cancelled the sign-in/);
    assert.equal(proxy.idp.counts.authorize, authorizeCalls, 'the IdP was never asked');

    clock.advance(INTERVAL_MS);
    const denied = await pollToken(proxy.baseUrl, client.client_id, device.device_code);
    assert.equal(denied.status, 400);
    assert.equal(denied.body['error'], 'access_denied');
  });

  it('shows a clear page for a wrong code, and lets the person try again', async () => {
    const client = await registerDeviceClient(proxy.baseUrl, { client_name: 'Typo Device' });
    const device = await startDeviceAuthorization(proxy.baseUrl, client.client_id);
    const agent = new UserAgent();
    const wrong = expectStop(
      await enterUserCode(agent, proxy.idp, device.verification_uri, 'BBBB-BBBB'),
      'page',
    );
    assert.equal(wrong.status, 400);
    assert.match(wrong.html, /That code is not valid/);
    assert.match(wrong.html, /role="alert"/);
    const retried = expectStop(
      await postPageForm(agent, proxy.idp, wrong, (fields) => fields.set('user_code', device.user_code)),
      'page',
    );
    assert.match(retried.html, /Typo Device/);
  });

  it('answers expired_token once the device code has expired', async () => {
    const client = await registerDeviceClient(proxy.baseUrl);
    const device = await startDeviceAuthorization(proxy.baseUrl, client.client_id);
    clock.advance(device.expires_in * 1000 + 1_000);
    const expired = await pollToken(proxy.baseUrl, client.client_id, device.device_code);
    assert.equal(expired.status, 400);
    assert.equal(expired.body['error'], 'expired_token');
  });

  it('is refused to a client that did not register the device grant', async () => {
    const client = await registerClient(proxy.baseUrl);
    const refused = await requestDeviceAuthorization(proxy.baseUrl, client.client_id);
    assert.equal(refused.status, 400);
    assert.equal(refused.body['error'], 'invalid_request');
    assert.match(String(refused.body['error_description']), /device_code is not allowed for this client/);
    const deviceClient = await registerDeviceClient(proxy.baseUrl);
    const device = await startDeviceAuthorization(proxy.baseUrl, deviceClient.client_id);
    const borrowed = await pollToken(proxy.baseUrl, client.client_id, device.device_code);
    assert.equal(borrowed.status, 400);
    assert.equal(borrowed.body['error'], 'invalid_request');
    assert.match(String(borrowed.body['error_description']), /grant type is not allowed for this client/);
  });

  it('binds device-flow tokens to the MCP resource and refuses a foreign one', async () => {
    const client = await registerDeviceClient(proxy.baseUrl);
    const foreign = await requestDeviceAuthorization(proxy.baseUrl, client.client_id, {
      resource: 'https://elsewhere.example/mcp',
    });
    assert.equal(foreign.status, 400);
    assert.equal(foreign.body['error'], 'invalid_target');
  });
});

describe('the device endpoints and the per-address rate limit', () => {
  let proxy: TestProxy;
  before(async () => {
    proxy = await startTestProxy({ env: { MAX_REQUESTS: '3', MAX_REQUESTS_WINDOW: '600000' } });
  });
  after(async () => {
    await proxy.close();
  });

  it('counts /device per address, and /device/auth per address and the client its form names', async () => {
    const client = await registerDeviceClient(proxy.baseUrl);
    const page = await fetch(`${proxy.baseUrl}/device`);
    await page.arrayBuffer();
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('ratelimit-remaining'), '1', 'the registration and this page');

    for (let start = 0; start < 3; start += 1) {
      assert.equal((await requestDeviceAuthorization(proxy.baseUrl, client.client_id)).status, 200);
    }
    const limitedStart = await requestDeviceAuthorization(proxy.baseUrl, client.client_id);
    assert.equal(limitedStart.status, 429);
    assert.equal(limitedStart.body['error'], 'rate_limited');

    assert.equal((await fetch(`${proxy.baseUrl}/device`)).status, 200, 'the address has one request left');
    assert.equal((await fetch(`${proxy.baseUrl}/device`)).status, 429);
  });
});
