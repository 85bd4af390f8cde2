/**
 * The stdio bridge end to end: the SDK client logs in through the real app
 * and talks MCP over Streamable HTTP; the proxy runs one SDK stdio server per
 * session and pumps the messages between the two.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ListRootsRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { TestProxy } from '../../support/test-proxy.ts';
import { initializeRaw, logIn, postMcp, textOf, type LoggedIn } from '../proxy/proxy-steps.ts';
import { openStdioSession, startStdioProxy, whoami } from './stdio-steps.ts';

describe('the stdio bridge', () => {
  let proxy: TestProxy;
  let alice: LoggedIn;
  before(async () => {
    proxy = await startStdioProxy();
    alice = await logIn(proxy.mcpUrl, 'alice');
  });
  after(async () => {
    await proxy.close();
  });

  it('serves the stdio server to the SDK client over Streamable HTTP after the OAuth login', async () => {
    const session = await openStdioSession(proxy.mcpUrl, alice);
    const { tools } = await session.client.listTools();
    assert.deepEqual(tools.map((tool) => tool.name).sort(), [
      'echo',
      'env',
      'exit',
      'pid',
      'progress',
      'roots',
      'whoami',
    ]);
    const text = 'héllo "stdio" ✓\nsecond line';
    assert.equal(textOf(await session.client.callTool({ name: 'echo', arguments: { text } })), text);
    assert.notEqual(session.pid, process.pid);
    await session.transport.terminateSession();
    await session.client.close();
  });

  it("starts the child with the user's IdP access token and account id in its environment", async () => {
    const session = await openStdioSession(proxy.mcpUrl, alice);
    const seen = await whoami(session);
    assert.ok(seen.token !== null, 'MCP_AUTH_TOKEN is set');
    assert.equal(proxy.idp.userForAccessToken(seen.token), 'alice');
    assert.equal(seen.userId, proxy.idp.userIdFor('alice'));
    // Never our own token: the client's access token stays with the proxy (MCP authorization §11.8).
    assert.notEqual(seen.token, alice.tokens.access_token);
    await session.transport.terminateSession();
    await session.client.close();
  });

  it('delivers progress notifications one by one, in order, before the result', async () => {
    const session = await openStdioSession(proxy.mcpUrl, alice);
    const events: string[] = [];
    const result = await session.client.callTool({ name: 'progress', arguments: { count: 3 } }, undefined, {
      onprogress: (progress) => void events.push(`progress ${progress.progress}/${progress.total}`),
    });
    events.push(textOf(result));
    assert.deepEqual(events, ['progress 1/3', 'progress 2/3', 'progress 3/3', 'done 3']);
    await session.transport.terminateSession();
    await session.client.close();
  });

  it('delivers notifications without a progress token (log messages) during the call', async () => {
    const session = await openStdioSession(proxy.mcpUrl, alice);
    const messages: unknown[] = [];
    session.client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      messages.push(notification.params.data);
    });
    const result = await session.client.callTool({ name: 'progress', arguments: { count: 2 } });
    assert.equal(textOf(result), 'done 2');
    assert.deepEqual(messages, ['step 1', 'step 2']);
    await session.transport.terminateSession();
    await session.client.close();
  });

  it('relays a request from the server to the client mid-call, and the answer back', async () => {
    const client = new Client({ name: 'stdio-e2e', version: '1.0.0' }, { capabilities: { roots: {} } });
    client.setRequestHandler(ListRootsRequestSchema, () => ({
      roots: [{ uri: 'file:///work/a', name: 'a' }, { uri: 'file:///work/b' }],
    }));
    const transport = new StreamableHTTPClientTransport(new URL(proxy.mcpUrl), { authProvider: alice.oauth });
    await client.connect(transport);
    const result = await client.callTool({ name: 'roots', arguments: {} });
    assert.equal(textOf(result), 'file:///work/a file:///work/b');
    await transport.terminateSession();
    await client.close();
  });

  it('answers 401 with the challenge, and spawns nothing, without an access token', async () => {
    const response = await fetch(proxy.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{}',
    });
    assert.equal(response.status, 401);
    assert.match(
      response.headers.get('www-authenticate') ?? '',
      /^Bearer resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp"/,
    );
    await response.arrayBuffer();
  });

  it('opens a session only for an initialize request', async () => {
    const token = alice.tokens.access_token;
    const list = await postMcp(proxy.mcpUrl, token, { id: 1, method: 'tools/list' });
    assert.equal(list.status, 400);
    assert.match(await list.text(), /Mcp-Session-Id header is required/);
    const get = await fetch(proxy.mcpUrl, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    });
    assert.equal(get.status, 400);
    await get.arrayBuffer();
    const initialize = await initializeRaw(proxy.mcpUrl, token);
    assert.equal(initialize.status, 200);
    const sessionId = initialize.headers.get('mcp-session-id');
    assert.match(sessionId ?? '', /^[0-9a-f-]{36}$/);
    assert.match(await initialize.text(), /"serverInfo":\{"name":"stdio-fixture"/);
    const ended = await fetch(proxy.mcpUrl, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}`, 'mcp-session-id': sessionId! },
    });
    assert.equal(ended.status, 200);
    await ended.arrayBuffer();
  });

  it('serves only the exact mount path', async () => {
    const response = await initializeRaw(`${proxy.mcpUrl}/other`, alice.tokens.access_token);
    assert.equal(response.status, 404);
    await response.arrayBuffer();
  });
});
