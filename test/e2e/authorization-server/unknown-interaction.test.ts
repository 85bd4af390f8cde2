import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  authorizationUrl,
  createPkce,
  registerClient,
  type RegisteredClient,
} from '../../support/raw-oauth.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';

const NO_STACK_TRACE = /\bat [\w.<>]+ \(|node:internal|\.js:\d+:\d+|\.ts:\d+:\d+/;

/** Starts an authorization request and returns its interaction path and the cookies it set. */
async function startInteraction(
  baseUrl: string,
  client: RegisteredClient,
): Promise<{ path: string; cookie: string }> {
  const response = await fetch(authorizationUrl(baseUrl, client, createPkce()), { redirect: 'manual' });
  await response.arrayBuffer();
  const location = response.headers.get('location') ?? '';
  assert.match(location, /^\/interaction\/[^/]+$/);
  const cookie = response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0] ?? '')
    .filter((pair) => !pair.endsWith('='))
    .join('; ');
  assert.match(cookie, /_interaction=/);
  return { path: location, cookie };
}

describe('interaction URLs that do not belong to this browser', () => {
  let proxy: TestProxy;
  let client: RegisteredClient;
  before(async () => {
    proxy = await startTestProxy();
    client = await registerClient(proxy.baseUrl);
  });
  after(async () => {
    await proxy.close();
  });

  /** Every such answer: a 4xx HTML error page, uncached, with a CSP and no stack trace. */
  async function assertErrorPage(response: Response, label: string): Promise<string> {
    const html = await response.text();
    assert.ok(
      response.status >= 400 && response.status < 500,
      `${label}: expected 4xx, got ${response.status}`,
    );
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/, label);
    assert.equal(response.headers.get('cache-control'), 'no-store', label);
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/, label);
    assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, label);
    assert.doesNotMatch(html, NO_STACK_TRACE, label);
    assert.match(html, /<html/i, label);
    return html;
  }

  it('shows an error page for an interaction that does not exist', async () => {
    const response = await fetch(`${proxy.baseUrl}/interaction/doesnotexist`, { redirect: 'manual' });
    await assertErrorPage(response, 'no cookie');
  });

  it('shows an error page when the cookie belongs to another interaction', async () => {
    const theirs = await startInteraction(proxy.baseUrl, client);
    const response = await fetch(`${proxy.baseUrl}/interaction/doesnotexist`, {
      redirect: 'manual',
      headers: { cookie: theirs.cookie },
    });
    await assertErrorPage(response, 'foreign cookie');
  });

  it("does not let one browser's cookie open another browser's sign-in", async () => {
    const mine = await startInteraction(proxy.baseUrl, client);
    const theirs = await startInteraction(proxy.baseUrl, client);
    const response = await fetch(proxy.baseUrl + theirs.path, {
      redirect: 'manual',
      headers: { cookie: mine.cookie },
    });
    await assertErrorPage(response, 'cross-browser');

    // The owner of that interaction is not disturbed by the attempt.
    const own = await fetch(proxy.baseUrl + theirs.path, {
      redirect: 'manual',
      headers: { cookie: theirs.cookie },
    });
    await own.arrayBuffer();
    assert.ok(own.status === 200 || own.status === 303, `the owner gets ${own.status}`);
  });

  it('shows an error page for a cookie with a forged signature', async () => {
    const theirs = await startInteraction(proxy.baseUrl, client);
    const forged = theirs.cookie.replace(/(_interaction\.sig=)[^;]+/, '$1forged');
    const response = await fetch(proxy.baseUrl + theirs.path, {
      redirect: 'manual',
      headers: { cookie: forged },
    });
    await assertErrorPage(response, 'forged signature');
  });

  it('shows an error page for the sub-routes of an unknown interaction', async () => {
    const requests: Array<[string, RequestInit]> = [
      ['/interaction/doesnotexist/abort', {}],
      [
        '/interaction/doesnotexist/confirm-login',
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: proxy.baseUrl },
          body: 'confirmed=true&csrf=x',
        },
      ],
      ['/interaction/doesnotexist/identity/callback?code=x&state=y', {}],
      ['/interaction/identity/callback?code=x&state=unknown', {}],
    ];
    for (const [path, init] of requests) {
      const response = await fetch(proxy.baseUrl + path, { ...init, redirect: 'manual' });
      await assertErrorPage(response, path);
    }
  });

  it('answers a resume URL of an unknown interaction with a 4xx, never a 500', async () => {
    const response = await fetch(`${proxy.baseUrl}/auth/doesnotexist`, { redirect: 'manual' });
    const text = await response.text();
    assert.ok(response.status >= 400 && response.status < 500, `got ${response.status}`);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.doesNotMatch(text, NO_STACK_TRACE);
  });

  it('logs no server error for any of these requests', () => {
    const serverErrors = proxy.logs.filter(
      (line) => line.event === 'oauth.server_error' || line.event === 'http.unhandled_error',
    );
    assert.deepEqual(serverErrors, []);
  });
});
