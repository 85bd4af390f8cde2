import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startExampleMcpServer, type ExampleMcpServer } from '../../../src/demo/index.ts';
import { createManualClock } from '../../contract/manual-clock.ts';

const USERS: Readonly<Record<string, string>> = { 'token-alice': 'alice', 'token-bob': 'bob' };

async function connectAs(server: ExampleMcpServer, token: string) {
  const transport = new StreamableHTTPClientTransport(new URL(server.url), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: 'example-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

const textOf = (result: Awaited<ReturnType<Client['callTool']>>): string =>
  (result.content as Array<{ type: string; text: string }>).map((part) => part.text).join('');

describe('example MCP server', () => {
  const clock = createManualClock(Date.UTC(2030, 0, 1, 12, 0, 0));
  let server: ExampleMcpServer;

  before(async () => {
    server = await startExampleMcpServer({
      identifyUser: (token) => USERS[token],
      clock,
      progressIntervalMs: 1,
    });
  });
  after(async () => {
    await server.close();
  });

  it('answers a request without a valid token with a Bearer challenge', async () => {
    const response = await fetch(server.url, { method: 'POST', headers: { authorization: 'Bearer nope' } });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
  });

  it('tells each user who they are, and counts, echoes and tells the time', async () => {
    const { client } = await connectAs(server, 'token-alice');
    assert.equal(
      textOf(await client.callTool({ name: 'whoami', arguments: {} })),
      'You are signed in as alice.',
    );
    assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { text: 'hi' } })), 'hi');
    assert.equal(
      textOf(await client.callTool({ name: 'count_words', arguments: { text: 'one two\nthree' } })),
      '3 words, 13 characters, 2 lines.',
    );
    assert.match(
      textOf(await client.callTool({ name: 'current_time', arguments: {} })),
      /2030-01-01T12:00:00\.000Z/,
    );
    const unknownZone = await client.callTool({
      name: 'current_time',
      arguments: { timeZone: 'Mars/Olympus' },
    });
    assert.equal(unknownZone.isError, true);
    await client.close();
  });

  it('streams one progress notification per step of slow_count', async () => {
    const { client } = await connectAs(server, 'token-bob');
    const steps: number[] = [];
    const result = await client.callTool({ name: 'slow_count', arguments: { steps: 4 } }, undefined, {
      onprogress: (progress) => steps.push(progress.progress),
    });
    assert.equal(textOf(result), 'Counted to 4.');
    assert.deepEqual(steps, [1, 2, 3, 4]);
    await client.close();
  });

  it("answers another user's session id exactly like an unknown one", async () => {
    const { client, transport } = await connectAs(server, 'token-alice');
    const sessionId = transport.sessionId!;
    const request = (token: string) =>
      fetch(server.url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'mcp-session-id': sessionId,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-06-18',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
      });
    const asBob = await request('token-bob');
    assert.equal(asBob.status, 404);
    const asAlice = await request('token-alice');
    assert.equal(asAlice.status, 200);
    await asAlice.body?.cancel();
    await client.close();
  });
});
