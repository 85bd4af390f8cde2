/**
 * The stdio bridge refuses a body over MCP_AUTH_PROXY_MAX_BODY_BYTES as the
 * HTTP proxy does: a readable 413 OAuth JSON answer with Connection: close,
 * also inside a session (where the SDK transport used to read the body itself).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestProxy } from '../../support/test-proxy.ts';
import { logIn, MCP_PROTOCOL_VERSION, textOf, type LoggedIn } from '../proxy/proxy-steps.ts';
import { openStdioSession, startStdioProxy, type StdioSession } from './stdio-steps.ts';

const MAX_BODY_BYTES = 64 * 1024;
const TOO_LARGE = {
  error: 'request_too_large',
  error_description: `The request body exceeds ${MAX_BODY_BYTES} bytes.`,
};
const BODY_BYTES = 5 * 1024 * 1024;

function chunkedBody(totalBytes: number): ReadableStream<Uint8Array> {
  let sentBytes = 0;
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  return new ReadableStream({
    pull(controller) {
      if (sentBytes >= totalBytes) return controller.close();
      sentBytes += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

describe('the stdio bridge with a body over the limit', () => {
  let proxy: TestProxy;
  let alice: LoggedIn;
  let session: StdioSession;
  before(async () => {
    proxy = await startStdioProxy({ MCP_AUTH_PROXY_MAX_BODY_BYTES: String(MAX_BODY_BYTES) });
    alice = await logIn(proxy.mcpUrl, 'alice');
    session = await openStdioSession(proxy.mcpUrl, alice);
  });
  after(async () => {
    await session.client.close();
    await proxy.close();
  });

  const post = (body: Buffer | ReadableStream<Uint8Array>, sessionId?: string) =>
    fetch(proxy.mcpUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${alice.tokens.access_token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': MCP_PROTOCOL_VERSION,
        ...(sessionId === undefined ? {} : { 'mcp-session-id': sessionId }),
      },
      body,
      duplex: 'half',
    });

  it('answers an oversized initialize with a readable 413', async () => {
    const response = await post(Buffer.alloc(BODY_BYTES, 'a'));
    assert.equal(response.status, 413);
    assert.equal(response.headers.get('connection'), 'close');
    assert.deepEqual(await response.json(), TOO_LARGE);
  });

  it('answers an oversized message in a session with the same 413, by Content-Length and chunked', async () => {
    for (const body of [Buffer.alloc(BODY_BYTES, 'a'), chunkedBody(BODY_BYTES)]) {
      const response = await post(body, session.sessionId);
      assert.equal(response.status, 413);
      assert.deepEqual(await response.json(), TOO_LARGE);
    }
  });

  it('gives the SDK client an error naming the 413, and the session carries on', async () => {
    const failure = await session.client
      .callTool({ name: 'echo', arguments: { text: 'a'.repeat(BODY_BYTES) } })
      .then(
        () => assert.fail('an oversized tool call went through'),
        (error: unknown) => error as Error & { code?: unknown },
      );
    assert.equal(failure.code, 413, failure.message);
    assert.match(failure.message, /request_too_large/);
    const echoed = await session.client.callTool({ name: 'echo', arguments: { text: 'small' } });
    assert.equal(textOf(echoed), 'small');
  });
});
