import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  CLIENT_TOKEN,
  IDP_TOKEN,
  MCP_POST_HEADERS,
  bearer,
  startProxyHarness,
  type ProxyHarness,
} from './proxy-harness.ts';

async function connect(
  harness: ProxyHarness,
  token = CLIENT_TOKEN,
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: 'proxy-test-client', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(harness.url), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return { client, transport };
}

const textOf = (result: unknown): string => {
  const content = (result as CallToolResult).content[0];
  assert.equal(content?.type, 'text');
  return content.text;
};

describe('the MCP SDK client through the proxy (stateful MCP server)', () => {
  let harness: ProxyHarness;
  before(async () => {
    harness = await startProxyHarness({
      fixture: {
        stateful: true,
        validateToken: (token) => (token.startsWith('idp-token-alice') ? { user: 'alice' } : undefined),
      },
    });
  });
  after(() => harness.close());

  it('lists the tools and calls one', async () => {
    const { client } = await connect(harness);
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((tool) => tool.name).sort(), ['big', 'echo', 'progress', 'whoami']);
    assert.equal(
      textOf(await client.callTool({ name: 'echo', arguments: { text: 'héllo "proxy"' } })),
      'héllo "proxy"',
    );
    await client.close();
  });

  it('sends the IdP token upstream, so the MCP server knows the user', async () => {
    const { client } = await connect(harness);
    assert.equal(textOf(await client.callTool({ name: 'whoami', arguments: {} })), 'alice');
    assert.ok(harness.fixture.seenAuthorizations.every((value) => value === `Bearer ${IDP_TOKEN}`));
    assert.ok(!harness.fixture.seenAuthorizations.some((value) => value.includes(CLIENT_TOKEN)));
    await client.close();
  });

  // req: A9.7
  it('keeps the session id across calls', async () => {
    const { client, transport } = await connect(harness);
    const sessionId = transport.sessionId;
    assert.ok(sessionId !== undefined && sessionId.length > 0);
    const before = harness.fixture.seenHeaders.length;
    await client.callTool({ name: 'echo', arguments: { text: 'one' } });
    await client.callTool({ name: 'echo', arguments: { text: 'two' } });
    const later = harness.fixture.seenHeaders
      .slice(before)
      .filter((headers) => headers['content-type'] !== undefined);
    assert.ok(later.length >= 2);
    assert.ok(later.every((headers) => headers['mcp-session-id'] === sessionId));
    await client.close();
  });

  it('streams progress notifications one by one before the result', async () => {
    const { client } = await connect(harness);
    const events: string[] = [];
    // The fixture sends each next notification only after the test has seen the
    // previous one; if the proxy held the stream back, this call would never end.
    const result = await client.callTool(
      { name: 'progress', arguments: { count: 3, gated: true } },
      undefined,
      {
        onprogress: (progress) => {
          events.push(`progress ${progress.progress}/${progress.total}`);
          harness.fixture.releaseProgress();
        },
      },
    );
    events.push(textOf(result));
    assert.deepEqual(events, ['progress 1/3', 'progress 2/3', 'progress 3/3', 'done 3']);
    await client.close();
  });

  it('delivers a 2 MiB tool result intact', async () => {
    const { client } = await connect(harness);
    const bytes = 2 * 1024 * 1024;
    const text = textOf(await client.callTool({ name: 'big', arguments: { bytes } }));
    assert.equal(text.length, bytes);
    assert.ok(/^x+$/.test(text));
    await client.close();
  });

  it('ends the session with DELETE, after which the session id gets 404', async () => {
    const { client, transport } = await connect(harness);
    const sessionId = transport.sessionId!;
    await transport.terminateSession();
    const response = await fetch(harness.url, {
      method: 'POST',
      headers: {
        ...MCP_POST_HEADERS,
        ...bearer(CLIENT_TOKEN),
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
    });
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as { error: { code: number } }).error.code, -32001);
    await client.close();
  });

  it('writes one proxy.request line per request, without any token', async () => {
    const { client } = await connect(harness);
    await client.callTool({ name: 'echo', arguments: { text: 'log me' } });
    await client.close();
    const lines = harness.logLines.filter((line) => line['event'] === 'proxy.request');
    assert.ok(lines.length >= 3);
    for (const line of lines) {
      assert.equal(line['path'], '/mcp');
      assert.equal(line['grantId'], 'grant-alice');
      assert.equal(typeof line['durationMs'], 'number');
      assert.equal(typeof line['requestId'], 'string');
      assert.equal(typeof line['status'], 'number');
    }
    assert.ok(!harness.rawLog().includes(CLIENT_TOKEN));
    assert.ok(!harness.rawLog().includes(IDP_TOKEN));
  });
});

describe('the MCP SDK client through the proxy (stateless MCP server)', () => {
  let harness: ProxyHarness;
  before(async () => {
    harness = await startProxyHarness({ fixture: { stateful: false } });
  });
  after(() => harness.close());

  it('initializes, lists and calls tools without a session', async () => {
    const { client, transport } = await connect(harness);
    assert.equal(transport.sessionId, undefined);
    const { tools } = await client.listTools();
    assert.ok(tools.some((tool) => tool.name === 'echo'));
    assert.equal(
      textOf(await client.callTool({ name: 'echo', arguments: { text: 'stateless' } })),
      'stateless',
    );
    await client.close();
  });

  it('streams log notifications of a long tool call before its result', async () => {
    const { client } = await connect(harness);
    const messages: string[] = [];
    client.setNotificationHandler(
      (await import('@modelcontextprotocol/sdk/types.js')).LoggingMessageNotificationSchema,
      (notification) => {
        messages.push(String(notification.params.data));
        harness.fixture.releaseProgress();
      },
    );
    const result = await client.callTool({ name: 'progress', arguments: { count: 2, gated: true } });
    messages.push(textOf(result));
    assert.deepEqual(messages, ['step 1', 'step 2', 'done 2']);
    await client.close();
  });
});
