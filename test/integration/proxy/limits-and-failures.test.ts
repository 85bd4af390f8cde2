import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createRateLimiter } from '../../../src/http-kit/rate-limiter.ts';
import { createMemoryStore } from '../../../src/store/memory/memory-store.ts';
import {
  CLIENT_TOKEN,
  MCP_POST_HEADERS,
  OTHER_CLIENT_TOKEN,
  bearer,
  initializeRequest,
  startProxyHarness,
  type ProxyHarness,
} from './proxy-harness.ts';

const MAX_BODY_BYTES = 1024;

const readAll = async (res: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

async function unusedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('body limits', () => {
  let harness: ProxyHarness;
  let echoUrl: URL;
  before(async () => {
    harness = await startProxyHarness({
      fixture: { stateful: false },
      proxy: { maxBodyBytes: MAX_BODY_BYTES },
    });
    echoUrl = new URL(`${harness.url}/__fixture/echo`);
  });
  after(() => harness.close());

  it('answers 413 from Content-Length alone with Connection: close, and the client carries on', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (body: Buffer) =>
      new Promise<{ status: number; connection: string | undefined; text: string; socketReused: boolean }>(
        (resolve, reject) => {
          const req = request(
            echoUrl,
            { method: 'POST', agent, headers: { ...bearer(CLIENT_TOKEN), 'content-length': body.length } },
            (res) => {
              void readAll(res).then((text) =>
                resolve({
                  status: res.statusCode ?? 0,
                  connection: res.headers.connection,
                  text,
                  socketReused: req.reusedSocket,
                }),
              );
            },
          );
          req.on('error', reject);
          req.end(body);
        },
      );
    const before = harness.fixture.seenUrls.length;
    const refused = await send(Buffer.alloc(MAX_BODY_BYTES + 1, 'a'));
    assert.equal(refused.status, 413);
    assert.equal(refused.connection, 'close');
    assert.equal((JSON.parse(refused.text) as { error: string }).error, 'request_too_large');
    assert.equal(harness.fixture.seenUrls.length, before);
    const next = await send(Buffer.from('{"small":true}'));
    assert.equal(next.status, 200);
    assert.equal(next.socketReused, false, 'the refused connection was closed, not reused');
    agent.destroy();
  });

  it('answers 413 when a body without Content-Length grows past the limit', async () => {
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(echoUrl, { method: 'POST', headers: bearer(CLIENT_TOKEN) }, (res) => {
        req.end();
        void readAll(res).then((body) => resolve({ status: res.statusCode ?? 0, text: body }));
      });
      req.on('error', reject);
      // Chunks keep coming until the proxy answers; it must answer without waiting for the end.
      const chunk = Buffer.alloc(256, 'b');
      const pump = (): void => {
        if (req.writableEnded || req.destroyed) return;
        req.write(chunk, () => setImmediate(pump));
      };
      pump();
    });
    assert.equal(status, 413);
    assert.deepEqual(JSON.parse(text), {
      error: 'request_too_large',
      error_description: `The request body exceeds ${MAX_BODY_BYTES} bytes.`,
    });
  });

  it('forwards a body of exactly the limit', async () => {
    const body = 'c'.repeat(MAX_BODY_BYTES);
    const response = await fetch(echoUrl, { method: 'POST', headers: bearer(CLIENT_TOKEN), body });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { body: string }).body, body);
  });
});

describe('when the MCP server is not there', () => {
  it('answers 502 JSON when the MCP server refuses connections', async () => {
    const port = await unusedPort();
    const harness = await startProxyHarness({ mcpServerUrl: () => `http://127.0.0.1:${port}/mcp` });
    try {
      const response = await fetch(harness.url, {
        method: 'POST',
        headers: { ...MCP_POST_HEADERS, ...bearer(CLIENT_TOKEN) },
        body: initializeRequest(),
      });
      assert.equal(response.status, 502);
      assert.deepEqual(await response.json(), {
        error: 'bad_gateway',
        error_description: 'The MCP server could not be reached.',
      });
      const event = harness.logLines.find((line) => line['event'] === 'proxy.upstream_unreachable');
      assert.equal(event?.['reason'], 'ECONNREFUSED');
    } finally {
      await harness.close();
    }
  });

  it('answers 503 with Retry-After when the supervisor says the MCP server is down', async () => {
    const harness = await startProxyHarness({ proxy: { isUpstreamAvailable: () => false } });
    try {
      const response = await fetch(harness.url, {
        method: 'POST',
        headers: { ...MCP_POST_HEADERS, ...bearer(CLIENT_TOKEN) },
        body: initializeRequest(),
      });
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('retry-after'), '5');
      assert.equal(((await response.json()) as { error: string }).error, 'temporarily_unavailable');
      assert.equal(harness.fixture.seenUrls.length, 0);
    } finally {
      await harness.close();
    }
  });
});

describe('streams and disconnects', () => {
  let harness: ProxyHarness;
  before(async () => {
    harness = await startProxyHarness({ fixture: { stateful: true } });
  });
  after(() => harness.close());

  // req: A9.4
  it('flushes SSE headers at once, with X-Accel-Buffering: no, before any event', async () => {
    const initialize = await fetch(harness.url, {
      method: 'POST',
      headers: { ...MCP_POST_HEADERS, ...bearer(CLIENT_TOKEN) },
      body: initializeRequest(),
    });
    const sessionId = initialize.headers.get('mcp-session-id')!;
    await initialize.body?.cancel();
    const controller = new AbortController();
    // The standalone GET stream carries no event until the server has something to say.
    const stream = await fetch(harness.url, {
      headers: {
        ...bearer(CLIENT_TOKEN),
        accept: 'text/event-stream',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-11-25',
      },
      signal: controller.signal,
    });
    assert.equal(stream.status, 200);
    assert.equal(stream.headers.get('content-type'), 'text/event-stream');
    assert.equal(stream.headers.get('x-accel-buffering'), 'no');
    assert.equal(stream.headers.get('content-encoding'), null);
    const aborted = harness.fixture.nextAbortedRequest();
    controller.abort();
    await aborted;
  });

  // req: A9.11
  it('aborts the upstream request when the client goes away mid-stream', async () => {
    const initialize = await fetch(harness.url, {
      method: 'POST',
      headers: { ...MCP_POST_HEADERS, ...bearer(CLIENT_TOKEN) },
      body: initializeRequest(),
    });
    const sessionId = initialize.headers.get('mcp-session-id')!;
    await initialize.body?.cancel();
    const controller = new AbortController();
    const response = await fetch(harness.url, {
      method: 'POST',
      headers: {
        ...MCP_POST_HEADERS,
        ...bearer(CLIENT_TOKEN),
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'progress', arguments: { count: 5, gated: true }, _meta: { progressToken: 'p1' } },
      }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    const first = new TextDecoder().decode((await reader.read()).value);
    assert.match(first, /notifications\/progress/);
    const aborted = harness.fixture.nextAbortedRequest();
    controller.abort();
    await aborted;
    const line = harness.logLines.findLast(
      (entry) => entry['event'] === 'proxy.request' && entry['aborted'] === true,
    );
    assert.ok(line !== undefined);
    harness.fixture.releaseProgress();
  });

  it('aborts the upstream request when the client goes away before any answer', async () => {
    const controller = new AbortController();
    const before = harness.fixture.seenUrls.length;
    const pending = fetch(`${harness.url}/__fixture/hang`, {
      headers: bearer(CLIENT_TOKEN),
      signal: controller.signal,
    });
    pending.catch(() => undefined);
    while (harness.fixture.seenUrls.length === before) await new Promise((resolve) => setImmediate(resolve));
    const aborted = harness.fixture.nextAbortedRequest();
    controller.abort();
    await aborted;
  });

  it("ends the client's response when the MCP server drops the stream", async () => {
    const response = await fetch(`${harness.url}/__fixture/sse-then-drop`, { headers: bearer(CLIENT_TOKEN) });
    assert.equal(response.status, 200);
    const reader = response.body!.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    const received: string[] = [];
    let broken = false;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        received.push(new TextDecoder().decode(value));
      }
    } catch {
      broken = true;
    }
    assert.match(received.join(''), /"first":true/);
    // A cut stream is cut, not a clean end: the client can tell it apart.
    assert.equal(broken, true);
    // The proxy logs once its side of the exchange has closed, which may be just after the client noticed.
    while (!harness.logLines.some((line) => line['event'] === 'proxy.upstream_stream_broken')) {
      await new Promise((resolve) => setImmediate(resolve));
    }
  });
});

describe('per-grant rate limit', () => {
  let harness: ProxyHarness;
  const store = createMemoryStore({ clock: { nowMs: () => Date.now() } });
  before(async () => {
    harness = await startProxyHarness({
      fixture: { stateful: false },
      proxy: {
        rateLimiter: createRateLimiter(store, {
          maxRequests: 2,
          windowMs: 60_000,
          keyPrefix: 'ratelimit:mcp:',
        }),
      },
    });
  });
  after(async () => {
    await harness.close();
    await store.close();
  });

  it('answers 429 with RateLimit headers once a grant used its window', async () => {
    const get = (token: string) => fetch(`${harness.url}/__fixture/echo`, { headers: bearer(token) });
    const first = await get(CLIENT_TOKEN);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('ratelimit-limit'), '2');
    assert.equal(first.headers.get('ratelimit-remaining'), '1');
    await first.body?.cancel();
    const second = await get(CLIENT_TOKEN);
    assert.equal(second.headers.get('ratelimit-remaining'), '0');
    await second.body?.cancel();

    const refused = await get(CLIENT_TOKEN);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('ratelimit-remaining'), '0');
    const reset = Number(refused.headers.get('ratelimit-reset'));
    assert.ok(reset >= 1 && reset <= 60);
    assert.equal(refused.headers.get('retry-after'), String(reset));
    assert.equal(((await refused.json()) as { error: string }).error, 'rate_limited');

    const otherGrant = await get(OTHER_CLIENT_TOKEN);
    assert.equal(otherGrant.status, 200);
    await otherGrant.body?.cancel();
  });
});

describe('close()', () => {
  it('cuts streams in flight and answers later requests with 503', async () => {
    const harness = await startProxyHarness({ fixture: { stateful: false } });
    try {
      const stream = await fetch(harness.url, {
        method: 'POST',
        headers: { ...MCP_POST_HEADERS, ...bearer(CLIENT_TOKEN) },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'progress', arguments: { count: 3, gated: true }, _meta: { progressToken: 'c1' } },
        }),
      });
      const reader = stream.body!.getReader() as ReadableStreamDefaultReader<Uint8Array>;
      await reader.read();
      const aborted = harness.fixture.nextAbortedRequest();
      await harness.proxy.close();
      await aborted;
      await assert.rejects(async () => {
        for (;;) if ((await reader.read()).done) break;
      });
      const later = await fetch(`${harness.url}/__fixture/echo`, { headers: bearer(CLIENT_TOKEN) });
      assert.equal(later.status, 503);
      await later.body?.cancel();
    } finally {
      await harness.close();
    }
  });
});
