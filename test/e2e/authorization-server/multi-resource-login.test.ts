/**
 * The person's side of an authorization for several MCP servers: the
 * confirmation page (code flow and device flow) names the servers asked for,
 * and a step-up challenge from one server refuses only the refresh for that
 * server (step-up-refresh-refusal.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createManualClock, type ManualClock } from '../../contract/manual-clock.ts';
import {
  confirmAndSignIn,
  enterUserCode,
  pollToken,
  registerDeviceClient,
  startDeviceAuthorization,
} from '../../support/device-flow-steps.ts';
import { browse, expectStop } from '../../support/login-bridge-steps.ts';
import {
  authenticationOf,
  authorizationUrl,
  createPkce,
  loginWith,
  postForm,
  registerClient,
  type RegisteredClient,
  type TokenAnswer,
} from '../../support/raw-oauth.ts';
import type { TestProxy } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { postMcp } from '../proxy/proxy-steps.ts';
import { TICKETS_DEFAULT_SCOPES, accessOf, sorted, startTwoServerProxy } from './two-servers.ts';

const DEVICE_POLL_INTERVAL_MS = 5_000;

describe('signing in for two MCP servers', () => {
  let proxy: TestProxy;
  let notes: string;
  let tickets: string;
  let client: RegisteredClient;
  let clock: ManualClock;
  before(async () => {
    clock = createManualClock(Date.now());
    ({ proxy, notes, tickets } = await startTwoServerProxy({ clock }));
    client = await registerClient(proxy.baseUrl);
  });
  after(async () => {
    await proxy.close();
  });

  const redirectUri = () => client.redirect_uris[0] ?? '';

  function authorization(resources: readonly string[]): { url: URL; verifier: string } {
    const pkce = createPkce();
    const url = authorizationUrl(proxy.baseUrl, client, pkce, { scope: undefined });
    for (const resource of resources) url.searchParams.append('resource', resource);
    return { url, verifier: pkce.verifier };
  }

  async function confirmationPage(resources: readonly string[]): Promise<string> {
    const targets = { idpUrl: proxy.idp.url, redirectUri: redirectUri() };
    const page = expectStop(await browse(new UserAgent(), authorization(resources).url, targets), 'page');
    assert.equal(page.status, 200);
    return page.html;
  }

  it('names the one server the client asks for on the confirmation page', async () => {
    const html = await confirmationPage([tickets]);
    assert.match(html, /<dt>MCP server<\/dt>/);
    assert.ok(html.includes(`<strong>Tickets</strong> <code>${tickets}</code>`), 'its name and URL');
    assert.ok(!html.includes(`<code>${notes}</code>`), 'not the server it did not ask for');
  });

  it('names every server of an authorization that asks for several, in the order asked', async () => {
    const html = await confirmationPage([tickets, notes]);
    assert.match(html, /<dt>MCP servers<\/dt>/);
    const ticketsAt = html.indexOf(`<code>${tickets}</code>`);
    const notesAt = html.indexOf(`<li class="mcp-server"><code>${notes}</code></li>`);
    assert.ok(ticketsAt !== -1 && notesAt > ticketsAt, 'both, the unnamed one by its URL');
  });

  it('names the server on the device flow confirmation, whose tokens are then for that server', async () => {
    const device = await registerDeviceClient(proxy.baseUrl, { client_name: 'Ticket Kiosk' });
    const started = await startDeviceAuthorization(proxy.baseUrl, device.client_id, { resource: tickets });
    const agent = new UserAgent();
    const page = expectStop(
      await enterUserCode(agent, proxy.idp, started.verification_uri, started.user_code),
      'page',
    );
    assert.ok(page.html.includes(started.user_code), 'the device confirmation');
    assert.ok(page.html.includes(`<strong>Tickets</strong> <code>${tickets}</code>`));
    await confirmAndSignIn(agent, proxy.idp, page, 'alice');
    clock.advance(DEVICE_POLL_INTERVAL_MS);
    const tokens = await pollToken(proxy.baseUrl, device.client_id, started.device_code);
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    const access = await accessOf(proxy, tokens.body['access_token'] as string);
    assert.equal(access.resource, tickets);
    assert.deepEqual([...access.scopes].sort(), [...TICKETS_DEFAULT_SCOPES].sort());
  });

  it('refuses after a step-up challenge only the refresh for the server that challenged', async () => {
    const { url, verifier } = authorization([notes, tickets]);
    const login = await loginWith(url, redirectUri());
    const token = (params: Record<string, string>) =>
      postForm<TokenAnswer>(`${proxy.baseUrl}/token`, authenticationOf(client), params);
    const first = await token({
      grant_type: 'authorization_code',
      code: login.code ?? '',
      redirect_uri: redirectUri(),
      code_verifier: verifier,
      resource: notes,
    });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.ok(!sorted(first.body.scope).includes('notes:write'));

    // echo needs notes:write (NOTES_ENV): the first server challenges.
    const challenged = await postMcp(notes, first.body.access_token ?? '', {
      id: 1,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'x' } },
    });
    await challenged.arrayBuffer();
    assert.equal(challenged.status, 403);

    const refresh = (refreshToken: string | undefined, resource: string) =>
      token({ grant_type: 'refresh_token', refresh_token: refreshToken ?? '', resource });
    const forTickets = await refresh(first.body.refresh_token, tickets);
    assert.equal(forTickets.status, 200, 'the other server was not challenged');
    const refused = await refresh(forTickets.body.refresh_token, notes);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'invalid_grant');
    const logged = proxy.logs.find((line) => line.event === 'oauth.refresh_refused_for_step_up');
    assert.equal(logged?.server, 'default');
    const after = await refresh(forTickets.body.refresh_token, notes);
    assert.equal(after.status, 200, 'refused once, nothing revoked');
    assert.equal((await accessOf(proxy, after.body.access_token)).resource, notes);
  });
});
