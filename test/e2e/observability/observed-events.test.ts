/**
 * The event seam every observer (metrics, audit) hangs off
 * (src/observability/events.ts): an MCP SDK client's whole life through the
 * proxy tells each event once, in order, from the module where it happened,
 * and no event carries a token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ObservedEvent } from '../../../src/observability/index.ts';
import { refreshTokens } from '../../support/login-bridge-steps.ts';
import { revokeAsPublicClient } from '../../support/raw-oauth.ts';
import { authorizeWithSdk, TestOAuthClient } from '../../support/sdk-oauth-client.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';

/** An event without its request, which is the live IncomingMessage. */
const withoutRequest = (event: ObservedEvent): Record<string, unknown> => {
  const { request: _request, ...rest } = event as ObservedEvent & { request?: unknown };
  return rest;
};

describe('observed events of one client, from registration to revocation', () => {
  let proxy: TestProxy;
  const events: ObservedEvent[] = [];
  before(async () => {
    proxy = await startTestProxy({ observers: [(event) => events.push(event)] });
  });
  after(async () => {
    await proxy.close();
  });

  it('tells the funnel, the MCP requests, a refresh and a revocation, each once and in order', async () => {
    const client = new TestOAuthClient();
    const { tokens } = await authorizeWithSdk(proxy.mcpUrl, client, new UserAgent(), { username: 'alice' });
    const clientId = client.clientInformation()?.client_id ?? '';
    const mcp = new Client({ name: 'observed', version: '1.0.0' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(proxy.mcpUrl), { authProvider: client }));
    await mcp.callTool({ name: 'whoami', arguments: {} });
    await mcp.close();
    const refreshed = await refreshTokens(proxy.baseUrl, clientId, tokens.refresh_token ?? '', proxy.mcpUrl);
    assert.equal(refreshed.status, 200);
    const newRefresh = (refreshed.body as { refresh_token: string }).refresh_token;
    assert.equal(await revokeAsPublicClient(proxy.baseUrl, clientId, newRefresh), 200);

    const funnel = events
      .filter((event) => event.type !== 'mcp.request' && !event.type.startsWith('mcp.stream'))
      .map((event) => event.type);
    assert.deepEqual(funnel, [
      'client.registered',
      'authorization.started',
      'confirmation.shown',
      'confirmation.accepted',
      'signin.succeeded',
      'authorization.completed',
      'token.issued',
      'token.issued',
      'grant.revoked',
      'token.revoked',
    ]);
    const byType = <T extends ObservedEvent['type']>(type: T) =>
      events.filter((event): event is Extract<ObservedEvent, { type: T }> => event.type === type);
    const [registered] = byType('client.registered');
    assert.equal(registered?.registration, 'dynamic');
    assert.equal(registered?.clientId, clientId);
    const [signedIn] = byType('signin.succeeded');
    assert.equal(signedIn?.accountId, proxy.idp.userIdFor('alice'));
    assert.deepEqual(
      byType('token.issued').map((event) => [event.grantType, event.grantId === signedIn?.grantId]),
      [
        ['authorization_code', true],
        ['refresh_token', true],
      ],
    );
    const [revoked] = byType('grant.revoked');
    assert.equal(revoked?.by, 'client');
    assert.equal(revoked?.grantId, signedIn?.grantId);

    const methods = byType('mcp.request').map((event) => `${event.method} ${event.status}`);
    assert.ok(methods.includes('initialize 200'), methods.join(', '));
    assert.ok(methods.includes('tools/call 200'), methods.join(', '));
    assert.ok(methods.includes('notifications/initialized 202'), methods.join(', '));
    assert.ok(
      byType('mcp.request').some(
        (event) => event.method === 'tools/call' && event.upstreamFirstByteSeconds !== undefined,
      ),
    );

    const told = JSON.stringify(events.map(withoutRequest));
    for (const secret of [tokens.access_token, tokens.refresh_token, newRefresh]) {
      assert.ok(secret !== undefined && !told.includes(secret), 'no event carries a token');
    }
  });
});
