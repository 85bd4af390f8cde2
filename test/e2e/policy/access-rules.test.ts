/**
 * Access rules on one MCP server behind the HTTP proxy, driven with the MCP SDK client by users of
 * different groups: each sees the tools the rules let them use (from SSE and from JSON answers), a
 * refused call is answered with the rule and never reaches the MCP server, a user refused the whole
 * server gets 403, and a group changed at the IdP applies once the IdP tokens are refreshed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { connectMcp, initializeRaw, logIn, postMcp, type LoggedIn } from '../proxy/proxy-steps.ts';
import { startPolicyProxy, type PolicyProxy } from './policy-steps.ts';

const PAYMENTS = ['payments_refund', 'payments_send'];

async function toolNames(setup: PolicyProxy, user: LoggedIn): Promise<string[]> {
  const { client } = await connectMcp(setup.proxy.mcpUrl, user.oauth);
  try {
    return (await client.listTools()).tools.map((tool) => tool.name).sort();
  } finally {
    await client.close();
  }
}

describe('access rules on an MCP server', () => {
  let setup: PolicyProxy;
  let alice: LoggedIn;
  let bob: LoggedIn;

  before(async () => {
    setup = await startPolicyProxy();
    alice = await logIn(setup.proxy.mcpUrl, 'alice');
    bob = await logIn(setup.proxy.mcpUrl, 'bob');
  });
  after(async () => {
    await setup.close();
  });

  it('lists the payment tools to finance only, from an SSE answer', async () => {
    const aliceTools = await toolNames(setup, alice);
    const bobTools = await toolNames(setup, bob);
    for (const name of PAYMENTS) assert.ok(aliceTools.includes(name), `alice sees ${name}`);
    assert.deepEqual(
      bobTools.filter((name) => name.startsWith('payments_')),
      [],
    );
    assert.deepEqual(
      aliceTools.filter((name) => !PAYMENTS.includes(name)),
      bobTools,
    );
  });

  it('filters a JSON answer too, with its Content-Length', async () => {
    setup.mcp.jsonResponse = true;
    try {
      const { client, transport } = await connectMcp(setup.proxy.mcpUrl, bob.oauth);
      const response = await postMcp(
        setup.proxy.mcpUrl,
        bob.tokens.access_token,
        { id: 7, method: 'tools/list', params: {} },
        { 'mcp-session-id': transport.sessionId ?? '' },
      );
      const text = await response.text();
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(response.headers.get('content-length'), String(Buffer.byteLength(text)));
      const names = (JSON.parse(text) as { result: { tools: { name: string }[] } }).result.tools.map(
        (tool) => tool.name,
      );
      assert.ok(names.includes('docs_read'));
      assert.ok(!names.some((name) => name.startsWith('payments_')));
      assert.ok(!(await client.listTools()).tools.some((tool) => tool.name.startsWith('payments_')));
      await client.close();
    } finally {
      setup.mcp.jsonResponse = false;
    }
  });

  it('refuses a call to a refused tool with the rule named, and never forwards it', async () => {
    const { client, transport } = await connectMcp(setup.proxy.mcpUrl, bob.oauth);
    await assert.rejects(
      client.callTool({ name: 'payments_send', arguments: {} }),
      (error: unknown) =>
        error instanceof McpError &&
        error.code === -32003 &&
        /Access denied by rule "finance-payments": you may not use tool "payments_send"\. Ask the finance team for payments\./.test(
          error.message,
        ),
    );
    const raw = await postMcp(
      setup.proxy.mcpUrl,
      bob.tokens.access_token,
      { id: 8, method: 'tools/call', params: { name: 'payments_refund', arguments: {} } },
      { 'mcp-session-id': transport.sessionId ?? '' },
    );
    assert.equal(raw.status, 200);
    const answer = (await raw.json()) as { id: number; error: { code: number; data: unknown } };
    assert.equal(answer.id, 8);
    assert.deepEqual(answer.error.data, { rule: 'finance-payments', reason: 'denied' });
    assert.deepEqual(setup.mcp.toolCalls, [], 'no call reached the MCP server');
    const denied = setup.events.filter((event) => event.type === 'access.denied');
    assert.deepEqual(
      denied.map((event) => [event.rule, event.item?.name, event.accountId]),
      [
        ['finance-payments', 'payments_send', 'uid-bob'],
        ['finance-payments', 'payments_refund', 'uid-bob'],
      ],
    );
    await client.close();
    const { client: aliceClient } = await connectMcp(setup.proxy.mcpUrl, alice.oauth);
    await aliceClient.callTool({ name: 'payments_send', arguments: {} });
    assert.deepEqual(setup.mcp.toolCalls, ['payments_send'], 'finance reaches the tool');
    await aliceClient.close();
  });

  it('answers every request of a user refused the whole server with 403, naming the rule', async () => {
    const carol = await logIn(setup.proxy.mcpUrl, 'carol');
    const response = await initializeRaw(setup.proxy.mcpUrl, carol.tokens.access_token);
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('www-authenticate'), null, 'not a step-up challenge');
    assert.deepEqual(await response.json(), {
      error: 'access_denied',
      error_description: 'Access denied by rule "contractors-out": you may not use this server.',
    });
  });

  it('applies a group changed at the IdP once the IdP tokens are refreshed', async () => {
    setup.idp.userClaims.set('bob', {
      idToken: { groups: ['support', 'finance'] },
      userinfo: { email: 'bob@example.com' },
    });
    setup.idp.expireAccessTokens();
    // This request makes the proxy refresh bob's IdP tokens (the MCP server refuses the old ones).
    await toolNames(setup, bob);
    const after = await toolNames(setup, bob);
    for (const name of PAYMENTS) assert.ok(after.includes(name), `bob now sees ${name}`);
  });
});
