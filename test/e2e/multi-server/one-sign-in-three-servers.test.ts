/**
 * Issue 13's acceptance test: one proxy fronts three MCP servers (an HTTP
 * server, a supervised command, a stdio server), each its own protected
 * resource, behind one authorization server and one IdP client. One MCP SDK
 * client application, with one registration, signs the user in once: the
 * confirmation page is answered for the first server only (per-browser
 * confirmation) and the IdP login form is filled in once (the IdP's session).
 * A token for one server is refused by the others, and step-up is per server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { parseBearerChallenge } from '../../../src/cli/doctor/probe-challenge.ts';
import { authorizeWithSdk, loginInBrowser, type BrowserLoginResult } from '../../support/sdk-oauth-client.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { connectMcp, initializeRaw, postMcp, textOf } from '../proxy/proxy-steps.ts';
import { SharedRegistration } from './shared-registration.ts';
import {
  confirmationSubmissions,
  recordingFetch,
  SERVER_IDS,
  SERVERS,
  startThreeServers,
  TICKETS_STEP_UP_SCOPE,
  toolCall,
  type ServerId,
  type ThreeServers,
} from './three-servers.ts';

describe('one sign-in for three MCP servers behind one proxy', () => {
  let servers: ThreeServers;
  const registration = new SharedRegistration();
  /** The person's browser: it keeps the proxy's confirmation cookie and the IdP's session cookie. */
  const agent = new UserAgent();
  const sdkRequests = recordingFetch();
  const signIns = new Map<ServerId, BrowserLoginResult>();
  const echoed = new Map<ServerId, string>();
  const providerOf = (id: ServerId) => registration.forServer(servers.urlOf(id));

  before(async () => {
    servers = await startThreeServers();
    // The client connects to each server in turn, as a user adds them one by one.
    for (const id of SERVER_IDS) {
      const url = servers.urlOf(id);
      const login = await authorizeWithSdk(
        url,
        providerOf(id),
        agent,
        { username: 'alice' },
        sdkRequests.fetchFn,
      );
      signIns.set(id, login);
      const { client } = await connectMcp(url, providerOf(id));
      echoed.set(id, textOf(await client.callTool({ name: 'echo', arguments: { text: `hello ${id}` } })));
      await client.close();
    }
  });
  after(async () => {
    await servers?.close();
  });

  it('calls a tool on each of the three servers: HTTP, supervised command and stdio', () => {
    assert.deepEqual(Object.fromEntries(echoed), {
      notes: 'hello notes',
      tickets: 'hello tickets',
      files: 'hello files',
    });
  });

  it('signs in once: one registration, one confirmation, one IdP login', () => {
    const registrations = sdkRequests.requests.filter(
      (request) => request.method === 'POST' && request.url.pathname === '/reg',
    );
    assert.equal(registrations.length, 1, 'the three connections share one client registration');
    assert.equal(registration.clientIds.length, 1);
    assert.deepEqual(
      SERVER_IDS.map((id) => signIns.get(id)?.confirmationShown),
      [true, false, false],
      'the browser confirmed the client for the first server only',
    );
    assert.equal(confirmationSubmissions(agent), 1);
    assert.equal(
      servers.idp.counts.login,
      1,
      'the IdP login form was filled in once; its session did the rest',
    );
  });

  it('names the server on the confirmation page', () => {
    const page = signIns.get('notes')?.confirmationPage ?? '';
    assert.ok(page.includes(SERVERS.notes.displayName), 'the page names the server it is for');
    assert.ok(!page.includes(SERVERS.tickets.displayName), 'and no server the client did not ask for');
    assert.ok(!page.includes(SERVERS.files.displayName));
  });

  // req: A1.5
  it('serves each server its own protected resource metadata, with its own resource and scopes', async () => {
    for (const id of SERVER_IDS) {
      const response = await fetch(servers.metadataUrlOf(id));
      const metadata = (await response.json()) as {
        resource: string;
        authorization_servers: string[];
        scopes_supported: string[];
      };
      assert.equal(response.status, 200, id);
      assert.equal(metadata.resource, servers.urlOf(id), id);
      assert.deepEqual(metadata.authorization_servers, [servers.proxy.baseUrl], 'one authorization server');
      assert.ok(metadata.scopes_supported.includes('openid'), id);
      assert.ok(
        !metadata.scopes_supported.includes(TICKETS_STEP_UP_SCOPE),
        `${id}: step-up scopes are not advertised`,
      );
    }
    const as = (await (
      await fetch(`${servers.proxy.baseUrl}/.well-known/oauth-authorization-server`)
    ).json()) as {
      scopes_supported: string[];
    };
    assert.ok(as.scopes_supported.includes(TICKETS_STEP_UP_SCOPE), 'the AS grants every server’s scopes');
  });

  // req: A3.2
  it('refuses a token issued for one server at the other two: 401 invalid_token, pointing at their own metadata', async () => {
    for (const holder of SERVER_IDS) {
      const token = providerOf(holder).accessToken();
      for (const other of SERVER_IDS.filter((id) => id !== holder)) {
        const response = await initializeRaw(servers.urlOf(other), token);
        await response.arrayBuffer();
        assert.equal(response.status, 401, `a ${holder} token at ${other}`);
        const challenge = parseBearerChallenge(response.headers.get('www-authenticate'));
        assert.equal(challenge?.error, 'invalid_token', `a ${holder} token at ${other}`);
        assert.equal(
          challenge?.resource_metadata,
          servers.metadataUrlOf(other),
          `a ${holder} token at ${other}`,
        );
      }
    }
  });

  // req: A2.5
  it('steps up per server: whoami needs tickets:write at the tickets server only', async () => {
    const notes = await connectMcp(servers.urlOf('notes'), providerOf('notes'));
    assert.equal(
      textOf(await notes.client.callTool({ name: 'whoami', arguments: {} })),
      'alice',
      'no step-up',
    );
    await notes.client.close();
    const files = await connectMcp(servers.urlOf('files'), providerOf('files'));
    const seen = JSON.parse(textOf(await files.client.callTool({ name: 'whoami', arguments: {} }))) as {
      userId: string | null;
    };
    assert.equal(seen.userId, servers.idp.userIdFor('alice'), 'no step-up at the stdio server either');
    await files.transport.terminateSession();
    await files.client.close();

    const challenged = await postMcp(
      servers.urlOf('tickets'),
      providerOf('tickets').accessToken(),
      toolCall(1, 'whoami'),
    );
    await challenged.arrayBuffer();
    assert.equal(challenged.status, 403);
    const challenge = parseBearerChallenge(challenged.headers.get('www-authenticate'));
    assert.equal(challenge?.error, 'insufficient_scope');
    assert.ok(challenge?.scope?.split(' ').includes(TICKETS_STEP_UP_SCOPE), challenge?.scope);
    assert.equal(challenge?.resource_metadata, servers.metadataUrlOf('tickets'));

    await stepUpAtTickets();
  });

  /** The SDK client meets the 403, authorizes again for the named scope, and carries on in its session. */
  async function stepUpAtTickets(): Promise<void> {
    const oauth = providerOf('tickets');
    const { client, transport } = await connectMcp(servers.urlOf('tickets'), oauth);
    oauth.authorizationUrl = undefined;
    await assert.rejects(client.callTool({ name: 'whoami', arguments: {} }), UnauthorizedError);
    const url = oauth.authorizationUrl as URL | undefined;
    assert.ok(url, 'the client was sent to sign in again');
    assert.ok(url.searchParams.get('scope')?.split(' ').includes(TICKETS_STEP_UP_SCOPE));
    assert.deepEqual(url.searchParams.getAll('resource'), [servers.urlOf('tickets')]);
    const login = await loginInBrowser(agent, url, oauth.redirectUrl, { username: 'alice' });
    assert.equal(login.confirmationShown, true, 'a step-up scope is confirmed by the user');
    assert.ok(login.confirmationPage?.includes(SERVERS.tickets.displayName), 'for the tickets server');
    await transport.finishAuth(login.callback.searchParams.get('code') ?? '');

    // The supervised fixture's whoami answers with the IdP token the proxy put in its place.
    const upstreamToken = textOf(await client.callTool({ name: 'whoami', arguments: {} }));
    assert.equal(servers.idp.userForAccessToken(upstreamToken), 'alice');
    assert.equal(servers.idp.counts.login, 1, 'the step-up needed no second IdP login');
    assert.equal(confirmationSubmissions(agent), 2);
    await client.close();

    // The tickets token, now with the step-up scope, is still refused by the other servers.
    const widened = oauth.accessToken();
    for (const other of ['notes', 'files'] as const) {
      const response = await initializeRaw(servers.urlOf(other), widened);
      await response.arrayBuffer();
      assert.equal(response.status, 401, `the stepped-up tickets token at ${other}`);
    }
  }

  it('reports each server in /readyz, and names the one that is down', async () => {
    const ready = await fetch(`${servers.proxy.baseUrl}/readyz`);
    const report = (await ready.json()) as Readiness;
    assert.equal(ready.status, 200, JSON.stringify(report));
    assert.deepEqual(report.checks.servers, { notes: 'ok', tickets: 'ok', files: 'ok' });
    assert.equal(report.checks.mcpServer, 'ok', 'the aggregate check stays');

    await servers.stopNotes();
    const notReady = await fetch(`${servers.proxy.baseUrl}/readyz`);
    const degraded = (await notReady.json()) as Readiness;
    assert.equal(notReady.status, 503, JSON.stringify(degraded));
    assert.notEqual(degraded.checks.servers.notes, 'ok');
    assert.equal(degraded.checks.servers.tickets, 'ok');
    assert.equal(degraded.checks.servers.files, 'ok');
  });
});

interface Readiness {
  readonly status: string;
  readonly checks: { readonly mcpServer: string; readonly servers: Readonly<Record<string, string>> };
}
