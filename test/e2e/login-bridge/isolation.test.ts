/**
 * Two people logging in through the same registered client at the same time
 * each end with their own tokens, and one person's login state can never
 * finish another's (the interaction is bound to the browser that started it).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  authorizationRequest,
  browse,
  exchangeCode,
  expectStop,
  registerClient,
  signInAtIdp,
  submitConfirmation,
  whoami,
  type RegisteredClient,
} from '../../support/login-bridge-steps.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';

describe('isolation between users of one client', () => {
  let proxy: TestProxy;
  let client: RegisteredClient;
  before(async () => {
    proxy = await startTestProxy();
    client = await registerClient(proxy.baseUrl, { client_name: 'Shared Client' });
  });
  after(async () => {
    await proxy.close();
  });

  /** One person's browser, stopped at the IdP after confirming. */
  async function startLogin() {
    const agent = new UserAgent();
    const request = authorizationRequest(proxy.baseUrl, client, proxy.mcpUrl);
    const targets = { idpUrl: proxy.idp.url, redirectUri: request.redirectUri };
    const page = expectStop(await browse(agent, request.url, targets), 'page');
    const atIdp = expectStop(await submitConfirmation(agent, page, targets), 'idp');
    return { agent, request, targets, idpUrl: atIdp.url };
  }

  it('gives alice and bob, logging in at the same time, each their own tokens', async () => {
    const alice = await startLogin();
    const bob = await startLogin();
    const bobBack = await signInAtIdp(proxy.idp, bob.idpUrl, 'bob');
    const aliceBack = await signInAtIdp(proxy.idp, alice.idpUrl, 'alice');
    const [aliceDone, bobDone] = await Promise.all([
      browse(alice.agent, aliceBack, alice.targets),
      browse(bob.agent, bobBack, bob.targets),
    ]);
    const aliceTokens = await exchangeCode(
      proxy.baseUrl,
      alice.request,
      expectStop(aliceDone, 'client').url,
      proxy.mcpUrl,
    );
    const bobTokens = await exchangeCode(
      proxy.baseUrl,
      bob.request,
      expectStop(bobDone, 'client').url,
      proxy.mcpUrl,
    );
    assert.equal(expectStop(aliceDone, 'client').url.searchParams.get('state'), alice.request.state);
    assert.equal(expectStop(bobDone, 'client').url.searchParams.get('state'), bob.request.state);

    assert.equal(await whoami(proxy.mcpUrl, aliceTokens.access_token), 'alice');
    assert.equal(await whoami(proxy.mcpUrl, bobTokens.access_token), 'bob');
    assert.notEqual(aliceTokens.access_token, bobTokens.access_token);
  });

  it('does not let bob’s browser finish alice’s login with her IdP callback, and alice can still finish it', async () => {
    const alice = await startLogin();
    const bob = await startLogin();
    const aliceBack = await signInAtIdp(proxy.idp, alice.idpUrl, 'alice');

    const stolen = await browse(bob.agent, aliceBack, bob.targets);
    assert.equal(stolen.at, 'page', 'bob’s browser gets a page, never a redirect to the client');
    assert.ok(stolen.status >= 400 && stolen.status < 500, `got ${stolen.status}`);

    const aliceDone = expectStop(await browse(alice.agent, aliceBack, alice.targets), 'client');
    const tokens = await exchangeCode(proxy.baseUrl, alice.request, aliceDone.url, proxy.mcpUrl);
    assert.equal(await whoami(proxy.mcpUrl, tokens.access_token), 'alice');
  });

  it('does not let a login the attacker started complete in the victim’s browser', async () => {
    // The attacker starts a login with his own request and lures the victim to his IdP URL;
    // the victim signs in there, and her browser comes back with the attacker's state.
    const attacker = await startLogin();
    const victim = new UserAgent();
    const victimBack = await signInAtIdp(proxy.idp, attacker.idpUrl, 'victim');
    const stop = await browse(victim, victimBack, attacker.targets);
    assert.equal(stop.at, 'page', 'the victim’s browser is not sent to the attacker’s redirect URI');
    assert.ok(stop.status >= 400 && stop.status < 500, `got ${stop.status}`);
  });

  it('does not let one browser use another’s interaction pages', async () => {
    const alice = await startLogin();
    const uid = /\/interaction\/([^/]+)/.exec(
      alice.agent.hops.find((hop) => hop.url.includes('/interaction/'))?.url ?? '',
    )?.[1];
    assert.ok(uid, 'alice’s interaction id was seen');
    const mallory = new UserAgent();
    const targets = alice.targets;
    for (const path of [`/interaction/${uid}`, `/interaction/${uid}/abort`]) {
      const stop = await browse(mallory, `${proxy.baseUrl}${path}`, targets);
      assert.equal(stop.at, 'page', `${path} does not redirect another browser anywhere`);
      assert.ok(stop.status >= 400 && stop.status < 500, `${path} → ${stop.status}`);
    }
    const post = await mallory.request(`${proxy.baseUrl}/interaction/${uid}/confirm-login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: proxy.baseUrl },
      body: 'confirmed=true',
    });
    assert.ok(post.status >= 400 && post.status < 500, `confirm-login → ${post.status}`);
  });
});
