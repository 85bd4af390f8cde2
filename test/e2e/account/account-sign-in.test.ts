/**
 * How a person gets onto the connected-apps page and off it: the same IdP
 * sign-in as an MCP client's login (PKCE, state, nonce, the one redirect URI
 * registered at the IdP), bound to the browser that started it; a session of
 * the page's own, scoped to /account, ending after an hour or at sign-out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { browse, expectStop, signInAtIdp } from '../../support/login-bridge-steps.ts';
import type { TestProxy } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { createOffsetClock, type OffsetClock } from '../spec/offset-clock.ts';
import {
  appNames,
  connectApp,
  formWithButton,
  refreshStatus,
  openAccountPage,
  startAccountProxy,
  submit,
  targetsOf,
  type ConnectedClient,
} from './account-steps.ts';

const HOUR_MS = 60 * 60 * 1000;

/** GET /account without following: the answer and its Set-Cookie lines. */
async function getAccount(proxy: TestProxy, cookie?: string) {
  const response = await fetch(`${proxy.baseUrl}/account`, {
    redirect: 'manual',
    headers: cookie === undefined ? {} : { cookie },
  });
  await response.arrayBuffer();
  return { response, setCookies: response.headers.getSetCookie() };
}

describe('signing in to the connected-apps page', () => {
  let proxy: TestProxy;
  let clock: OffsetClock;
  let editor: ConnectedClient;
  before(async () => {
    clock = createOffsetClock();
    ({ proxy } = await startAccountProxy({ clock }));
    editor = await connectApp(proxy.mcpUrl, 'alice', 'Editor');
  });
  after(async () => {
    await proxy?.close();
  });

  it('sends a browser without a session to the IdP, with PKCE, state and nonce, through the registered redirect URI', async () => {
    const { response, setCookies } = await getAccount(proxy);
    assert.equal(response.status, 303);
    const location = new URL(response.headers.get('location') ?? '');
    assert.equal(location.origin, new URL(proxy.idp.url).origin);
    const query = location.searchParams;
    assert.equal(query.get('redirect_uri'), `${proxy.baseUrl}/interaction/identity/callback`);
    assert.equal(query.get('code_challenge_method'), 'S256');
    assert.ok((query.get('code_challenge') ?? '').length >= 43);
    assert.ok((query.get('state') ?? '').length >= 32);
    assert.ok((query.get('nonce') ?? '').length >= 32);
    assert.equal(setCookies.length, 1);
    assert.match(
      setCookies[0] ?? '',
      /^mcp-account-sign-in=v1\.[^;]+; Path=\/account; Max-Age=600; HttpOnly; SameSite=Lax$/,
    );
  });

  it('starts a session scoped to /account for an hour, and sends it back to the page', async () => {
    const agent = new UserAgent();
    const stop = expectStop(await browse(agent, `${proxy.baseUrl}/account`, targetsOf(proxy)), 'idp');
    const idpCallback = await signInAtIdp(proxy.idp, stop.url, 'alice');
    assert.equal(idpCallback.pathname, '/interaction/identity/callback', 'the one redirect URI');
    const page = expectStop(await browse(agent, idpCallback, targetsOf(proxy)), 'page');
    assert.equal(page.url.pathname, '/account');
    assert.deepEqual(appNames(page.html), ['Editor']);
    const hops = agent.hops.map((hop) => new URL(hop.url).pathname);
    assert.deepEqual(hops.slice(-3), ['/interaction/identity/callback', '/account/callback', '/account']);
    const callbackHop = agent.hops.find((hop) => hop.url.includes('/account/callback'));
    assert.equal(callbackHop?.status, 303);
    assert.deepEqual(agent.cookieNames().sort(), ['mcp-account']);
  });

  it('sets the session cookie HttpOnly, SameSite=Lax, on /account only, for an hour', async () => {
    const { response } = await getAccount(proxy);
    const state = new URL(response.headers.get('location') ?? '').searchParams;
    const binding = response.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const idpCallback = await proxy.idp.authorizeAs(response.headers.get('location') ?? '', 'alice');
    assert.equal(idpCallback.searchParams.get('state'), state.get('state'));
    const hop = await fetch(idpCallback, { redirect: 'manual' });
    const callback = await fetch(new URL(hop.headers.get('location') ?? '', proxy.baseUrl), {
      redirect: 'manual',
      headers: { cookie: binding },
    });
    assert.equal(callback.status, 303);
    const cookies = callback.headers.getSetCookie();
    assert.ok(
      cookies.some((line) => /^mcp-account-sign-in=; Path=\/account; Max-Age=0; HttpOnly/.test(line)),
    );
    assert.ok(
      cookies.some((line) =>
        /^mcp-account=v1\.[^;]+; Path=\/account; Max-Age=3600; HttpOnly; SameSite=Lax$/.test(line),
      ),
      cookies.join('\n'),
    );
  });

  it('refuses the IdP’s answer in a browser that did not start the sign-in, and a replayed answer', async () => {
    const { response } = await getAccount(proxy);
    const idpCallback = await proxy.idp.authorizeAs(response.headers.get('location') ?? '', 'mallory');
    // Another browser: it has no sign-in cookie of this sign-in (RFC 6749 §10.12, login CSRF).
    const victim = new UserAgent();
    const stop = expectStop(await browse(victim, idpCallback, targetsOf(proxy)), 'page');
    assert.equal(stop.status, 400);
    assert.match(stop.html, /started in another browser or has expired/);
    assert.deepEqual(victim.cookieNames(), [], 'nobody is signed in');

    const agent = new UserAgent();
    await openAccountPage(proxy, agent, 'alice');
    const callbackHop = agent.hops.find((hop) => hop.url.includes('/interaction/identity/callback'));
    const replay = await browse(agent, callbackHop?.url ?? '', targetsOf(proxy));
    assert.ok(replay.at === 'page' && replay.status === 400, 'a callback works once');
  });

  it('signs out: the cookie goes, a copy of it is refused, and the page says so', async () => {
    const agent = new UserAgent();
    const page = await openAccountPage(proxy, agent, 'alice');
    const copy = agent.cookieHeader(`${proxy.baseUrl}/account`);
    assert.match(copy, /^mcp-account=v1\./);
    const { response, then } = await submit(proxy, agent, formWithButton(page, 'Sign out'));
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/account/signed-out');
    assert.ok(then?.at === 'page' && then.status === 200);
    assert.match(then.html, /<h1 id="page-title">Signed out<\/h1>/);
    assert.match(then.html, /each keeps its access until you revoke it/);
    assert.deepEqual(agent.cookieNames(), []);
    const again = await getAccount(proxy, copy);
    assert.equal(again.response.status, 303, 'the copied session cookie is refused');
    assert.equal(new URL(again.response.headers.get('location') ?? '').origin, new URL(proxy.idp.url).origin);
  });

  it('moves “last used” when the app refreshes its tokens, as an app in use does', async () => {
    const lastUsed = (html: string) =>
      Date.parse(/<dt>Last used<\/dt>\s*<dd><time datetime="([^"]+)"/.exec(html)?.[1] ?? '');
    const agent = new UserAgent();
    const before = lastUsed((await openAccountPage(proxy, agent, 'alice')).html);
    assert.ok(Number.isFinite(before), 'recorded at sign-in');
    clock.advance(5 * 60 * 1000);
    assert.equal(await refreshStatus(proxy, editor), 200);
    // The time is written after the token answer, without holding it up: poll the page briefly.
    let after = before;
    for (let attempt = 0; attempt < 40 && after < before + 5 * 60 * 1000; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25));
      after = lastUsed((await openAccountPage(proxy, agent, 'alice')).html);
    }
    assert.ok(after >= before + 5 * 60 * 1000, `${new Date(after).toISOString()} after the refresh`);
  });

  it('ends a session after an hour; a revocation posted then revokes nothing and says why after the next sign-in', async () => {
    const agent = new UserAgent();
    const page = await openAccountPage(proxy, agent, 'alice');
    const form = formWithButton(page, 'Revoke access for Editor');
    clock.advance(HOUR_MS + 1_000);

    const { response, then } = await submit(proxy, agent, form);
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/account');
    assert.equal(then?.at, 'idp', 'the page asks for a new sign-in');
    assert.ok(then?.at === 'idp');
    const idpCallback = await signInAtIdp(proxy.idp, then.url, 'alice');
    const back = expectStop(await browse(agent, idpCallback, targetsOf(proxy)), 'page');
    assert.deepEqual(appNames(back.html), ['Editor'], 'nothing was revoked');
    assert.match(back.html, /role="status">Your session on this page had ended, so nothing was revoked/);
  });
});
