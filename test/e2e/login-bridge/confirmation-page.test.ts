/**
 * The per-client confirmation page: the confused-deputy defence of a proxy
 * with a static upstream client id (MCP authorization §11.7 / security best
 * practices §2.1.5.2, spec checklist A8). Shown once per client per browser,
 * naming the client, where it sends the user back, and the IdP; protected
 * against cross-site posts; Cancel answers `access_denied`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  authorizationRequest,
  browse,
  exchangeCode,
  expectStop,
  loginThroughProxy,
  registerClient,
  signInAtIdp,
  submitConfirmation,
  type RegisteredClient,
} from '../../support/login-bridge-steps.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { readForm, UserAgent } from '../../support/user-agent.ts';

async function storeKeys(proxy: TestProxy, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of proxy.app.store.keys(prefix)) keys.push(key);
  return keys;
}

describe('the confirmation page', () => {
  let proxy: TestProxy;
  let resource: string;
  const targets = (client: RegisteredClient) => ({
    idpUrl: proxy.idp.url,
    redirectUri: client.redirect_uris[0]!,
  });

  before(async () => {
    proxy = await startTestProxy();
    resource = proxy.mcpUrl;
  });
  after(async () => {
    await proxy.close();
  });

  // req: A6.6, A8.1, A8.6
  it('is shown the first time a browser sends a client, and the upstream login starts only after it', async () => {
    const client = await registerClient(proxy.baseUrl);
    const request = authorizationRequest(proxy.baseUrl, client, resource);
    const authorizeCalls = proxy.idp.counts.authorize;
    const page = expectStop(await browse(new UserAgent(), request.url, targets(client)), 'page');
    assert.equal(page.status, 200);
    assert.match(page.html, /confirm-login/);
    assert.equal(
      proxy.idp.counts.authorize,
      authorizeCalls,
      'the IdP has not been contacted before the confirmation',
    );
    assert.deepEqual(await storeKeys(proxy, 'login-state:'), [], 'no upstream state exists before approval');
  });

  it('is not shown again for the same client in the same browser', async () => {
    const client = await registerClient(proxy.baseUrl);
    const agent = new UserAgent();
    const first = await loginThroughProxy(
      agent,
      proxy.idp,
      authorizationRequest(proxy.baseUrl, client, resource),
      'alice',
    );
    assert.equal(first.confirmationShown, true);
    const second = await loginThroughProxy(
      agent,
      proxy.idp,
      authorizationRequest(proxy.baseUrl, client, resource),
      'alice',
    );
    assert.equal(second.confirmationShown, false);
    assert.ok(second.callback.searchParams.get('code'), 'the second login still ends with a code');
  });

  // req: A8.2
  it('is shown again in the same browser for another client', async () => {
    const agent = new UserAgent();
    const one = await registerClient(proxy.baseUrl);
    const other = await registerClient(proxy.baseUrl, { client_name: 'Another Client' });
    await loginThroughProxy(agent, proxy.idp, authorizationRequest(proxy.baseUrl, one, resource), 'alice');
    const result = await loginThroughProxy(
      agent,
      proxy.idp,
      authorizationRequest(proxy.baseUrl, other, resource),
      'alice',
    );
    assert.equal(result.confirmationShown, true);
  });

  it('is shown again for the same client in a fresh browser', async () => {
    const client = await registerClient(proxy.baseUrl);
    await loginThroughProxy(
      new UserAgent(),
      proxy.idp,
      authorizationRequest(proxy.baseUrl, client, resource),
      'alice',
    );
    const fresh = await loginThroughProxy(
      new UserAgent(),
      proxy.idp,
      authorizationRequest(proxy.baseUrl, client, resource),
      'alice',
    );
    assert.equal(fresh.confirmationShown, true);
  });

  // req: A6.6, A8.3
  it('names the client, its redirect URIs and their hostnames, its client_uri and the IdP', async () => {
    const client = await registerClient(proxy.baseUrl, {
      client_name: 'Acme Desktop',
      client_uri: 'https://acme.example/about',
      redirect_uris: ['http://127.0.0.1:45123/callback', 'http://localhost:45124/oauth/done'],
    });
    const request = authorizationRequest(proxy.baseUrl, client, resource);
    const page = expectStop(await browse(new UserAgent(), request.url, targets(client)), 'page');
    assert.match(page.html, /Acme Desktop/);
    assert.match(page.html, /https:\/\/acme\.example\/about/);
    assert.match(page.html, /http:\/\/127\.0\.0\.1:45123\/callback/);
    assert.match(page.html, /http:\/\/localhost:45124\/oauth\/done/);
    assert.match(page.html, /<span class="value host">127\.0\.0\.1<\/span>/);
    assert.match(page.html, /<span class="value host">localhost<\/span>/);
    assert.ok(page.html.includes(new URL(proxy.idp.issuer).host), 'the IdP is named');
    // Consent UI requirements: no framing, nothing cached.
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.ok(
      /frame-ancestors 'none'/.test(csp) || page.headers.get('x-frame-options') === 'DENY',
      'framing is refused',
    );
    assert.match(page.headers.get('cache-control') ?? '', /no-store/);
  });

  it('sends Cancel back to the client as access_denied with state and iss, and remembers nothing', async () => {
    const client = await registerClient(proxy.baseUrl);
    const agent = new UserAgent();
    const request = authorizationRequest(proxy.baseUrl, client, resource);
    const page = expectStop(await browse(agent, request.url, targets(client)), 'page');
    const abortHref = /href="([^"]*\/abort)"/.exec(page.html)?.[1];
    assert.ok(abortHref, 'the page has a Cancel link');
    const back = expectStop(await browse(agent, new URL(abortHref, page.url), targets(client)), 'client');
    assert.equal(back.url.searchParams.get('error'), 'access_denied');
    assert.equal(back.url.searchParams.get('state'), request.state);
    assert.equal(back.url.searchParams.get('iss'), proxy.baseUrl);
    assert.equal(back.url.searchParams.get('code'), null);

    const again = await browse(
      agent,
      authorizationRequest(proxy.baseUrl, client, resource).url,
      targets(client),
    );
    assert.equal(again.at, 'page', 'a cancelled client is asked about again');
  });

  it('shows the page again when it is posted without the checkbox', async () => {
    const client = await registerClient(proxy.baseUrl);
    const agent = new UserAgent();
    const page = expectStop(
      await browse(agent, authorizationRequest(proxy.baseUrl, client, resource).url, targets(client)),
      'page',
    );
    const authorizeCalls = proxy.idp.counts.authorize;
    const reposted = expectStop(
      await submitConfirmation(agent, page, targets(client), { confirmed: false }),
      'page',
    );
    assert.equal(reposted.status, 200);
    assert.match(reposted.html, /name="confirmed"/);
    assert.equal(proxy.idp.counts.authorize, authorizeCalls);
    // Ticking it now continues to the IdP.
    expectStop(await submitConfirmation(agent, reposted, targets(client)), 'idp');
  });

  // req: A8.3
  it('refuses a post with a wrong csrf token from a cross-site origin with 403, without logging in', async () => {
    const client = await registerClient(proxy.baseUrl);
    const agent = new UserAgent();
    const page = expectStop(
      await browse(agent, authorizationRequest(proxy.baseUrl, client, resource).url, targets(client)),
      'page',
    );
    const authorizeCalls = proxy.idp.counts.authorize;
    const refused = expectStop(
      await submitConfirmation(agent, page, targets(client), {
        csrf: 'forged',
        origin: 'https://evil.example',
      }),
      'page',
    );
    assert.equal(refused.status, 403);
    assert.equal(proxy.idp.counts.authorize, authorizeCalls, 'no upstream login started');
    const again = await browse(
      agent,
      authorizationRequest(proxy.baseUrl, client, resource).url,
      targets(client),
    );
    assert.equal(again.at, 'page', 'the client was not remembered as confirmed');
  });

  it('refuses a wrong csrf token even from the same origin, and a missing one from a cross-site origin', async () => {
    const client = await registerClient(proxy.baseUrl);
    const agent = new UserAgent();
    const page = expectStop(
      await browse(agent, authorizationRequest(proxy.baseUrl, client, resource).url, targets(client)),
      'page',
    );
    const wrongToken = expectStop(
      await submitConfirmation(agent, page, targets(client), { csrf: 'forged' }),
      'page',
    );
    assert.equal(wrongToken.status, 403);
    const crossSite = expectStop(
      await submitConfirmation(agent, page, targets(client), { csrf: null, origin: 'https://evil.example' }),
      'page',
    );
    assert.equal(crossSite.status, 403);
  });

  it('accepts a post without a csrf field from the same origin (a template written for the reference)', async () => {
    const client = await registerClient(proxy.baseUrl);
    const agent = new UserAgent();
    const request = authorizationRequest(proxy.baseUrl, client, resource);
    const page = expectStop(await browse(agent, request.url, targets(client)), 'page');
    const atIdp = expectStop(await submitConfirmation(agent, page, targets(client), { csrf: null }), 'idp');
    const idpCallback = await signInAtIdp(proxy.idp, atIdp.url, 'alice');
    const back = expectStop(await browse(agent, idpCallback, targets(client)), 'client');
    const tokens = await exchangeCode(proxy.baseUrl, request, back.url, resource);
    assert.ok(tokens.access_token);
  });

  it('prints a hostile client_name escaped', async () => {
    const client = await registerClient(proxy.baseUrl, { client_name: '<script>alert(1)</script>' });
    const page = expectStop(
      await browse(
        new UserAgent(),
        authorizationRequest(proxy.baseUrl, client, resource).url,
        targets(client),
      ),
      'page',
    );
    assert.ok(!page.html.includes('<script>alert(1)</script>'), 'the raw markup is not on the page');
    assert.match(page.html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });

  it('answers an oversized confirmation form with the readable 413 every endpoint gives', async () => {
    const client = await registerClient(proxy.baseUrl);
    const agent = new UserAgent();
    const page = expectStop(
      await browse(agent, authorizationRequest(proxy.baseUrl, client, resource).url, targets(client)),
      'page',
    );
    const { action } = readForm(page.html, page.url.href);
    const response = await agent.request(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: action.origin },
      body: `confirmed=true&padding=${'a'.repeat(1024 * 1024)}`,
    });
    assert.equal(response.status, 413);
    assert.equal(response.headers.get('connection'), 'close');
    assert.deepEqual(await response.json(), {
      error: 'request_too_large',
      error_description: 'The request body exceeds 16384 bytes.',
    });
  });
});
