/**
 * Step-up authorization at the MCP endpoint (MCP authorization [11] §10.1.1,
 * [26] §11.1): with MCP_AUTH_PROXY_SCOPE_RULES, a tool call the token's scopes
 * do not cover gets a 403 `insufficient_scope` challenge, and the client
 * authorizes again for the scopes it names. Driven by the MCP TypeScript SDK
 * 2.x client, which steps up by itself (SEP-2350), by the 1.x client, which
 * refreshes instead and is set right by a refused refresh (typescript-sdk#2255,
 * docs/decisions.md), and by raw requests for the exact wire format.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type OAuthDiscoveryState,
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
  UnauthorizedError as UnauthorizedErrorV2,
} from '@modelcontextprotocol/client';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { parseBearerChallenge } from '../../../src/cli/doctor/probe-challenge.ts';
import { authorizeWithSdk, loginInBrowser, TestOAuthClient } from '../../support/sdk-oauth-client.ts';
import {
  authenticationOf,
  authorizationUrl,
  createPkce,
  obtainTokens,
  postForm,
  mcpStatusOnceSettled,
  registerClient,
  revokeAsPublicClient,
  type TokenAnswer,
} from '../../support/raw-oauth.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { postMcp } from '../proxy/proxy-steps.ts';
import { SpecOAuthClient } from './spec-oauth-client.ts';

const STEP_UP_ENV = {
  PROVIDER_SCOPE: 'openid offline_access notes:read notes:write',
  MCP_AUTH_PROXY_SCOPE_RULES: 'tools/call echo=notes:read; tools/call who*=notes:write',
  MCP_AUTH_PROXY_SCOPE_INCLUDES: 'notes:write=notes:read',
};

/** The 2.x SDK also keeps what discovery found, to check the callback's issuer against it (SEP-2352). */
class V2OAuthClient extends TestOAuthClient {
  #discovery: OAuthDiscoveryState | undefined;
  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.#discovery = state;
  }
  discoveryState(): OAuthDiscoveryState | undefined {
    return this.#discovery;
  }
}

const callTool = (id: number, name: string, args: Record<string, unknown> = {}) => ({
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

describe('step-up authorization with scope rules', () => {
  let proxy: TestProxy;
  before(async () => {
    proxy = await startTestProxy({ env: STEP_UP_ENV });
  });
  after(async () => {
    await proxy.close();
  });

  // req: A2.5, A2.6
  it('lets an SDK 2.x client step up by itself: 403, a new authorization for the union of scopes, a confirmation of the new scope, then the call', async () => {
    const oauth = new V2OAuthClient();
    const agent = new UserAgent();
    const logins: Array<{ scope: string; confirmationShown: boolean }> = [];
    /** What the person at the browser does whenever the client sends them to sign in. */
    const signIn = async (transport: TransportV2): Promise<void> => {
      const url = oauth.authorizationUrl;
      assert.ok(url, 'the client asked for a sign-in');
      oauth.authorizationUrl = undefined;
      const login = await loginInBrowser(agent, url, oauth.redirectUrl, { username: 'alice' });
      logins.push({ scope: url.searchParams.get('scope') ?? '', confirmationShown: login.confirmationShown });
      await transport.finishAuth(login.callback.searchParams);
    };

    const first = new TransportV2(new URL(proxy.mcpUrl), { authProvider: oauth });
    await assert.rejects(
      new ClientV2({ name: 'step-up-e2e', version: '1.0.0' }).connect(first),
      UnauthorizedErrorV2,
    );
    await signIn(first);
    // The 401 names only the default scopes; the client adds offline_access, which the AS advertises.
    assert.deepEqual(logins[0], { scope: 'openid offline_access', confirmationShown: true });
    assert.deepEqual(oauth.tokens()?.scope?.split(' ').sort(), ['offline_access', 'openid']);

    const transport = new TransportV2(new URL(proxy.mcpUrl), { authProvider: oauth });
    const client = new ClientV2({ name: 'step-up-e2e', version: '1.0.0' });
    await client.connect(transport);
    const tools = await client.listTools();
    assert.ok(
      tools.tools.some((tool) => tool.name === 'echo'),
      'operations without a rule need no step-up',
    );

    // echo needs notes:read: the client re-authorizes (no refresh: it cannot widen a grant).
    await assert.rejects(client.callTool({ name: 'echo', arguments: { text: 'hi' } }), UnauthorizedErrorV2);
    await signIn(transport);
    assert.deepEqual(logins[1]?.scope.split(' ').sort(), ['notes:read', 'offline_access', 'openid']);
    assert.equal(logins[1]?.confirmationShown, true, 'a step-up scope is confirmed by the user');
    assert.match(oauth.tokens()?.scope ?? '', /notes:read/);
    const echoed = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    assert.deepEqual(echoed.content, [{ type: 'text', text: 'hi' }]);

    // whoami needs notes:write; the session and the first step-up survive the second.
    await assert.rejects(client.callTool({ name: 'whoami', arguments: {} }), UnauthorizedErrorV2);
    await signIn(transport);
    assert.ok(logins[2]?.scope.split(' ').includes('notes:write'));
    assert.ok(logins[2]?.scope.split(' ').includes('notes:read'), 'the union keeps what was granted');
    assert.equal(logins[2]?.confirmationShown, true);
    const whoami = await client.callTool({ name: 'whoami', arguments: {} });
    assert.match(JSON.stringify(whoami.content), /alice/);
    await client.close();

    // Scopes this browser already confirmed for this client are not asked about again.
    const clientId = oauth.clientInformation()?.client_id ?? '';
    const again = authorizationUrl(
      proxy.baseUrl,
      { client_id: clientId, redirect_uris: [oauth.redirectUrl] },
      createPkce(),
      {
        scope: 'openid notes:read notes:write',
      },
    );
    const repeat = await loginInBrowser(agent, again, oauth.redirectUrl, { username: 'alice' });
    assert.equal(repeat.confirmationShown, false);
    assert.ok(repeat.callback.searchParams.get('code'));
  });

  // req: A2.5, A2.6
  it('answers 403 with one challenge naming the needed and granted scopes, and forwards nothing', async () => {
    const { tokens } = await obtainTokens(proxy.baseUrl, { overrides: { scope: undefined } });
    assert.deepEqual(
      tokens.scope?.split(' ').sort(),
      ['offline_access', 'openid'],
      'no scope: the default scopes',
    );
    const forwarded = proxy.mcp.seenUrls.length;
    const response = await postMcp(proxy.mcpUrl, tokens.access_token, callTool(1, 'whoami'));
    assert.equal(response.status, 403);
    const challenge = parseBearerChallenge(response.headers.get('www-authenticate'));
    assert.equal(challenge?.error, 'insufficient_scope');
    assert.equal(challenge?.scope, 'openid notes:write', 'granted plus needed, without offline_access');
    assert.equal(challenge?.resource_metadata, `${proxy.baseUrl}/.well-known/oauth-protected-resource/mcp`);
    assert.match(challenge?.error_description ?? '', /tools\/call whoami needs the scope notes:write/);
    const body = (await response.json()) as { error: string; error_description: string };
    assert.equal(body.error, 'insufficient_scope');
    assert.equal(proxy.mcp.seenUrls.length, forwarded, 'the MCP server never saw the call');

    // A batch (2025-03-26) is challenged once for everything it needs.
    const batch = await fetch(proxy.mcpUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokens.access_token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify([
        { jsonrpc: '2.0', ...callTool(1, 'echo', { text: 'a' }) },
        { jsonrpc: '2.0', ...callTool(2, 'whoami') },
      ]),
    });
    assert.equal(batch.status, 403);
    const batchChallenge = parseBearerChallenge(batch.headers.get('www-authenticate'));
    assert.equal(batchChallenge?.scope, 'openid notes:read notes:write');
    await batch.arrayBuffer();
  });

  // req: A2.6
  it('honours scope hierarchies: notes:write includes notes:read', async () => {
    const { tokens } = await obtainTokens(proxy.baseUrl, { overrides: { scope: 'openid notes:write' } });
    const response = await postMcp(proxy.mcpUrl, tokens.access_token, callTool(1, 'echo', { text: 'x' }));
    assert.notEqual(response.status, 403, await response.clone().text());
    await response.arrayBuffer();
  });

  // req: A9.9
  it('refuses 2026-07-28 mirror headers that disagree with the body with 400', async () => {
    const { tokens } = await obtainTokens(proxy.baseUrl, { overrides: { scope: 'openid notes:read' } });
    const lying = await postMcp(proxy.mcpUrl, tokens.access_token, callTool(1, 'whoami'), {
      'mcp-method': 'tools/call',
      'mcp-name': 'echo',
    });
    assert.equal(lying.status, 400);
    assert.equal(((await lying.json()) as { error: string }).error, 'invalid_request');

    // A matching header, base64-encoded as 2026-07-28 §6.5 allows, passes to the scope check.
    const encoded = `=?base64?${Buffer.from('whoami').toString('base64')}?=`;
    const honest = await postMcp(proxy.mcpUrl, tokens.access_token, callTool(2, 'whoami'), {
      'mcp-method': 'tools/call',
      'mcp-name': encoded,
    });
    assert.equal(honest.status, 403, 'read from the body: notes:write is still needed');
    await honest.arrayBuffer();

    const notJson = await fetch(proxy.mcpUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' },
      body: '{"jsonrpc": "2.0", "method": "tools/call", ',
    });
    assert.equal(notJson.status, 400);
    assert.equal(((await notJson.json()) as { error: string }).error, 'invalid_request');
  });

  // req: A1.6
  it('advertises only the default scopes in the protected resource metadata and the 401, and all of them in the AS metadata', async () => {
    const prm = (await (await fetch(`${proxy.baseUrl}/.well-known/oauth-protected-resource/mcp`)).json()) as {
      scopes_supported: string[];
    };
    assert.deepEqual(prm.scopes_supported, ['openid']);
    const as = (await (await fetch(`${proxy.baseUrl}/.well-known/oauth-authorization-server`)).json()) as {
      scopes_supported: string[];
    };
    for (const scope of ['openid', 'offline_access', 'notes:read', 'notes:write'])
      assert.ok(as.scopes_supported.includes(scope), scope);
    const unauthenticated = await fetch(proxy.mcpUrl, { method: 'POST', body: '{}' });
    assert.equal(parseBearerChallenge(unauthenticated.headers.get('www-authenticate'))?.scope, 'openid');
    await unauthenticated.arrayBuffer();
  });

  it('lets a client that registered a narrower scope (or an unknown one) ask for step-up scopes later', async () => {
    const client = await registerClient(proxy.baseUrl, { scope: 'openid claudeai' });
    assert.equal(client.client_id.length > 0, true);
    const { tokens } = await obtainTokens(proxy.baseUrl, {
      client,
      overrides: { scope: 'openid notes:write' },
    });
    assert.match(tokens.scope ?? '', /notes:write/);
  });

  // req: A7.5
  it('gets SDK 1.x clients, which refresh instead of re-authorizing, to authorize again by refusing that one refresh', async () => {
    const oauth = new SpecOAuthClient();
    const agent = new UserAgent();
    const first = await authorizeWithSdk(proxy.mcpUrl, oauth, agent, { username: 'bob' });
    assert.equal(first.confirmationShown, true);
    const transport = new StreamableHTTPClientTransport(new URL(proxy.mcpUrl), { authProvider: oauth });
    const client = new Client({ name: 'step-up-e2e-v1', version: '1.0.0' });
    await client.connect(transport);

    // The SDK refreshes, is told invalid_grant, drops its tokens and asks for the challenged scopes.
    oauth.authorizationUrl = undefined;
    await assert.rejects(client.callTool({ name: 'echo', arguments: { text: 'v1' } }), UnauthorizedError);
    assert.deepEqual(oauth.invalidations, ['tokens']);
    const url = oauth.authorizationUrl as URL | undefined;
    assert.ok(url, 'the client was sent to sign in again');
    assert.deepEqual(url.searchParams.get('scope')?.split(' ').sort(), ['notes:read', 'openid']);
    const login = await loginInBrowser(agent, url, oauth.redirectUrl, { username: 'bob' });
    assert.equal(login.confirmationShown, true, 'the new scope is confirmed');
    await transport.finishAuth(login.callback.searchParams.get('code') ?? '');

    const echoed = await client.callTool({ name: 'echo', arguments: { text: 'v1' } });
    assert.deepEqual(echoed.content, [{ type: 'text', text: 'v1' }]);
    assert.ok(
      proxy.logs.some((line) => line.event === 'oauth.refresh_refused_for_step_up'),
      'the refresh after the challenge was the one refused',
    );
    await client.close();
  });

  it('refuses only the refresh that follows a challenge: the grant and its refresh token stay valid', async () => {
    const { client, tokens } = await obtainTokens(proxy.baseUrl, {
      overrides: { scope: 'openid offline_access' },
    });
    const challenged = await postMcp(proxy.mcpUrl, tokens.access_token, callTool(1, 'echo', { text: 'x' }));
    assert.equal(challenged.status, 403);
    await challenged.arrayBuffer();
    const refresh = () =>
      postForm<TokenAnswer>(`${proxy.baseUrl}/token`, authenticationOf(client), {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token ?? '',
      });
    const refused = await refresh();
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'invalid_grant');
    const next = await refresh();
    assert.equal(next.status, 200, JSON.stringify(next.body));
    assert.ok(next.body.access_token);
  });

  // req: A2.5
  it('still revokes a refresh token at /token/revocation right after a challenge', async () => {
    const { client, tokens } = await obtainTokens(proxy.baseUrl, {
      overrides: { scope: 'openid offline_access' },
    });
    const challenged = await postMcp(proxy.mcpUrl, tokens.access_token, callTool(1, 'echo', { text: 'x' }));
    assert.equal(challenged.status, 403);
    await challenged.arrayBuffer();
    const revoked = await revokeAsPublicClient(
      proxy.baseUrl,
      client.client_id,
      tokens.refresh_token ?? '',
      'refresh_token',
    );
    assert.equal(revoked, 200);
    const refreshed = await postForm<TokenAnswer>(`${proxy.baseUrl}/token`, authenticationOf(client), {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token ?? '',
    });
    assert.equal(refreshed.body.error, 'invalid_grant', 'the signed-out refresh token is gone');
    assert.equal(await mcpStatusOnceSettled(proxy.mcpUrl, tokens.access_token, 401), 401);
  });
});
