/**
 * MCP traffic through the real app to an MCP server the proxy runs itself
 * (MCP_SERVER_RUN_COMMAND): the SDK client logs in first, then talks MCP.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ProgressNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { startTestProxy, type SupervisedTestProxy } from '../../support/test-proxy.ts';
import { connectMcp, logIn, postMcp, textOf, type LoggedIn } from './proxy-steps.ts';

describe('the proxy in front of a supervised stateful MCP server', () => {
  let proxy: SupervisedTestProxy;
  let alice: LoggedIn;
  before(async () => {
    proxy = await startTestProxy({ supervisedMcp: {} });
    alice = await logIn(proxy.mcpUrl, 'alice');
  });
  after(async () => {
    await proxy.close();
  });

  it('runs the MCP server as a child process and waits until it listens', () => {
    assert.equal(proxy.supervisor.isRunning(), true);
    const pid = proxy.supervisor.pid();
    assert.ok(pid !== undefined && pid !== process.pid);
    assert.equal(
      new URL(proxy.mcpServerUrl).port,
      JSON.parse(proxy.env['MCP_SERVER_RUN_ENV_JSON'] ?? '{}').PORT,
    );
  });

  it('lists the tools and calls echo', async () => {
    const { client } = await connectMcp(proxy.mcpUrl, alice.oauth);
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((tool) => tool.name).sort(), ['big', 'echo', 'progress', 'whoami']);
    const text = 'héllo "proxy" ✓';
    assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { text } })), text);
    await client.close();
  });

  it('keeps the MCP session id across calls', async () => {
    const { client, transport } = await connectMcp(proxy.mcpUrl, alice.oauth);
    const sessionId = transport.sessionId;
    assert.ok(sessionId !== undefined && sessionId.length > 0, 'the server issued a session id');
    for (const text of ['one', 'two', 'three']) {
      assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { text } })), text);
      assert.equal(transport.sessionId, sessionId);
    }
    // The server really checks the session: another id is refused by the server itself.
    const foreign = await postMcp(
      proxy.mcpUrl,
      alice.tokens.access_token,
      { id: 7, method: 'tools/list' },
      { 'mcp-session-id': 'not-a-session' },
    );
    assert.equal(foreign.status, 404);
    await foreign.arrayBuffer();
    await client.close();
  });

  it('delivers the progress notifications one by one, in order, before the result', async () => {
    const { client } = await connectMcp(proxy.mcpUrl, alice.oauth);
    const events: string[] = [];
    const result = await client.callTool(
      { name: 'progress', arguments: { count: 3, delayMs: 20 } },
      undefined,
      { onprogress: (progress) => void events.push(`progress ${progress.progress}/${progress.total}`) },
    );
    events.push(textOf(result));
    assert.deepEqual(events, ['progress 1/3', 'progress 2/3', 'progress 3/3', 'done 3']);
    await client.close();
  });

  // req: A9.4
  it('streams a notification while the tool call is still running (nothing is buffered)', async () => {
    const { client } = await connectMcp(proxy.mcpUrl, alice.oauth);
    // The server sends step 1 at once, then waits ten minutes before step 2: the first
    // notification can only arrive here if the proxy relays the stream as it comes.
    const cancel = new AbortController();
    let firstProgress!: (value: number) => void;
    const progressSeen = new Promise<number>((resolve) => (firstProgress = resolve));
    const call = client.callTool({ name: 'progress', arguments: { count: 2, delayMs: 600_000 } }, undefined, {
      signal: cancel.signal,
      onprogress: (progress) => firstProgress(progress.progress),
    });
    call.catch(() => undefined);
    assert.equal(await progressSeen, 1);
    cancel.abort();
    await assert.rejects(call, /abort/i);
    await client.close();
  });

  it('delivers the progress notifications to a notification handler too', async () => {
    const { client } = await connectMcp(proxy.mcpUrl, alice.oauth);
    const seen: number[] = [];
    client.setNotificationHandler(ProgressNotificationSchema, (notification) => {
      seen.push(notification.params.progress);
    });
    const result = await client.callTool({
      name: 'progress',
      arguments: { count: 2, delayMs: 10 },
      _meta: { progressToken: 'handler-token' },
    });
    assert.equal(textOf(result), 'done 2');
    assert.deepEqual(seen, [1, 2]);
    await client.close();
  });

  it('delivers a 2 MiB tool result intact', async () => {
    const { client } = await connectMcp(proxy.mcpUrl, alice.oauth);
    const bytes = 2 * 1024 * 1024;
    const text = textOf(await client.callTool({ name: 'big', arguments: { bytes } }));
    assert.equal(text.length, bytes);
    assert.match(text, /^x+$/);
    await client.close();
  });

  // req: A9.1, A9.7
  it('ends the session with DELETE; the old session id then gets the server’s 404', async () => {
    const { client, transport } = await connectMcp(proxy.mcpUrl, alice.oauth);
    const sessionId = transport.sessionId;
    assert.ok(sessionId !== undefined);
    await transport.terminateSession();
    assert.equal(transport.sessionId, undefined);

    const response = await postMcp(
      proxy.mcpUrl,
      alice.tokens.access_token,
      { id: 9, method: 'tools/list' },
      { 'mcp-session-id': sessionId },
    );
    assert.equal(response.status, 404);
    const body = (await response.json()) as { jsonrpc: string; error: { code: number } };
    assert.equal(body.jsonrpc, '2.0', 'the JSON-RPC error comes from the MCP server, not the proxy');
    assert.equal(body.error.code, -32001);
    await client.close();
  });

  // req: A3.4
  it('sends the MCP server the user’s IdP token, never the proxy-issued one', async () => {
    const { client } = await connectMcp(proxy.mcpUrl, alice.oauth);
    // MCP_FIXTURE_REQUIRE_BEARER: whoami answers with the bearer token the server received.
    const received = textOf(await client.callTool({ name: 'whoami', arguments: {} }));
    assert.notEqual(received, alice.tokens.access_token);
    assert.ok(!received.includes(alice.tokens.access_token));
    assert.equal(proxy.idp.isValidAccessToken(received), true, 'an access token the IdP issued');
    assert.equal(proxy.idp.userForAccessToken(received), 'alice');
    await client.close();
  });
});

describe('the proxy in front of a supervised stateless MCP server', () => {
  let proxy: SupervisedTestProxy;
  before(async () => {
    proxy = await startTestProxy({ supervisedMcp: { stateless: true } });
  });
  after(async () => {
    await proxy.close();
  });

  it('initializes, lists and calls tools without a session', async () => {
    const bob = await logIn(proxy.mcpUrl, 'bob');
    const { client, transport } = await connectMcp(proxy.mcpUrl, bob.oauth);
    assert.equal(transport.sessionId, undefined);
    const { tools } = await client.listTools();
    assert.ok(tools.some((tool) => tool.name === 'echo'));
    assert.equal(
      textOf(await client.callTool({ name: 'echo', arguments: { text: 'stateless' } })),
      'stateless',
    );
    const received = textOf(await client.callTool({ name: 'whoami', arguments: {} }));
    assert.equal(proxy.idp.userForAccessToken(received), 'bob');
    await client.close();
  });
});
