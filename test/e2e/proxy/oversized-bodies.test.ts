/**
 * Bodies over a limit, sent to the built proxy running as its own process:
 * every client reads a 413 JSON answer, none sees its connection reset, and a
 * client that never stops sending is cut off by the server.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  prepareProxyProcess,
  spawnProxyProcess,
  type ProxyProcess,
  type ProxyProcessSetup,
} from '../../support/proxy-process.ts';
import { connectMcp, logIn, type LoggedIn } from './proxy-steps.ts';

const MIB = 1024 * 1024;
/** MCP_AUTH_PROXY_MAX_BODY_BYTES, its default. */
const MAX_BODY_BYTES = 4 * MIB;
/** oidc-provider's own limit (PROVIDER_BODY_LIMIT_BYTES). */
const PROVIDER_BODY_LIMIT_BYTES = 56 * 1024;
const CHUNK_BYTES = 64 * 1024;
/** Far beyond the discard bound (64 MiB or 5 s): reaching it means the server never closed the socket. */
const SERVER_CLOSE_DEADLINE_MS = 30_000;

const TOO_LARGE = {
  error: 'request_too_large',
  error_description: `The request body exceeds ${MAX_BODY_BYTES} bytes.`,
};

/** A body of this size sent chunked (no Content-Length), one 64 KiB chunk per read. */
function chunkedBody(totalBytes: number): ReadableStream<Uint8Array> {
  let sentBytes = 0;
  const chunk = new Uint8Array(CHUNK_BYTES).fill(0x61);
  return new ReadableStream({
    pull(controller) {
      if (sentBytes >= totalBytes) return controller.close();
      sentBytes += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

async function post(
  url: string,
  headers: Record<string, string>,
  body: Buffer | ReadableStream<Uint8Array>,
): Promise<Response> {
  // duplex: 'half' is what fetch requires for a streamed request body.
  return await fetch(url, { method: 'POST', headers, body, duplex: 'half' });
}

interface RawUpload {
  /** Everything the server sent. */
  readonly received: string;
  /** Bytes of body written before the socket closed. */
  readonly sentBytes: number;
}

/**
 * A client that never stops sending: the head, then body bytes, as fast as the
 * socket takes them or one chunk per `intervalMs`. Resolves when the server
 * closes the socket; rejects at SERVER_CLOSE_DEADLINE_MS.
 */
function uploadForever(
  baseUrl: string,
  head: string,
  options: { chunk: Buffer; intervalMs?: number },
): Promise<RawUpload> {
  const { port, hostname } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    let sentBytes = 0;
    const deadline = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the socket open for ${SERVER_CLOSE_DEADLINE_MS} ms:\n${received}`));
    }, SERVER_CLOSE_DEADLINE_MS);
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => (received += data));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(deadline);
      resolve({ received, sentBytes });
    });
    const send = (): void => {
      if (socket.destroyed) return;
      sentBytes += options.chunk.length;
      const flushed = socket.write(options.chunk);
      if (options.intervalMs !== undefined) setTimeout(send, options.intervalMs);
      else if (flushed) setImmediate(send);
      else socket.once('drain', send);
    };
    socket.once('connect', () => {
      socket.write(head);
      send();
    });
  });
}

function assertRaw413(upload: RawUpload, description: string): void {
  const [headText = '', bodyText = ''] = upload.received.split('\r\n\r\n');
  assert.match(headText, /^HTTP\/1\.1 413 /, upload.received);
  assert.match(headText, /\r\nconnection: close\r\n/i);
  assert.deepEqual(JSON.parse(bodyText), { error: 'request_too_large', error_description: description });
}

describe('bodies over the limit, against the built proxy process', () => {
  let setup: ProxyProcessSetup;
  let proxy: ProxyProcess;
  let mcpUrl: string;
  let alice: LoggedIn;
  let mcpHeaders: Record<string, string>;
  before(async () => {
    setup = await prepareProxyProcess();
    proxy = await spawnProxyProcess(setup, 'built');
    await proxy.waitForEvent('supervisor.child_ready');
    mcpUrl = `${proxy.baseUrl}/mcp`;
    alice = await logIn(mcpUrl, 'alice');
    mcpHeaders = {
      authorization: `Bearer ${alice.tokens.access_token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
  });
  after(async () => {
    await proxy.dispose();
    await setup.close();
  });

  for (const sizeMiB of [5, 12, 40]) {
    it(`answers a ${sizeMiB} MiB body with Content-Length with a readable 413 and Connection: close`, async () => {
      const response = await post(mcpUrl, mcpHeaders, Buffer.alloc(sizeMiB * MIB, 'a'));
      assert.equal(response.status, 413);
      assert.equal(response.headers.get('connection'), 'close');
      assert.deepEqual(await response.json(), TOO_LARGE);
    });

    it(`answers a chunked ${sizeMiB} MiB body with a readable 413`, async () => {
      const response = await post(mcpUrl, mcpHeaders, chunkedBody(sizeMiB * MIB));
      assert.equal(response.status, 413);
      assert.deepEqual(await response.json(), TOO_LARGE);
    });
  }

  it('answers a chunked body that never ends with 413, then closes the socket after the discard bound', async () => {
    const head = [
      'POST /mcp HTTP/1.1',
      `Host: ${new URL(mcpUrl).host}`,
      `Authorization: Bearer ${alice.tokens.access_token}`,
      'Content-Type: application/json',
      'Transfer-Encoding: chunked',
      '',
      '',
    ].join('\r\n');
    const chunk = Buffer.concat([
      Buffer.from(`${CHUNK_BYTES.toString(16)}\r\n`),
      Buffer.alloc(CHUNK_BYTES, 'a'),
      Buffer.from('\r\n'),
    ]);
    const upload = await uploadForever(proxy.baseUrl, head, { chunk });
    assertRaw413(upload, TOO_LARGE.error_description);
    assert.ok(upload.sentBytes > MAX_BODY_BYTES, 'the body crossed the limit mid-way');
  });

  it('closes the socket of a client that trickles a declared 1 TiB body after the discard time bound', async () => {
    const head = [
      'POST /mcp HTTP/1.1',
      `Host: ${new URL(mcpUrl).host}`,
      `Authorization: Bearer ${alice.tokens.access_token}`,
      'Content-Type: application/json',
      `Content-Length: ${1024 ** 4}`,
      '',
      '',
    ].join('\r\n');
    const upload = await uploadForever(proxy.baseUrl, head, {
      chunk: Buffer.alloc(1024, 'a'),
      intervalMs: 50,
    });
    assertRaw413(upload, TOO_LARGE.error_description);
  });

  it('gives the MCP SDK client an error that names the 413, not "fetch failed"', async () => {
    const { client } = await connectMcp(mcpUrl, alice.oauth);
    try {
      const failure = await client.callTool({ name: 'echo', arguments: { text: 'a'.repeat(5 * MIB) } }).then(
        () => assert.fail('an oversized tool call went through'),
        (error: unknown) => error as Error & { code?: unknown },
      );
      assert.equal(failure.code, 413, failure.message);
      assert.match(failure.message, /request_too_large/);
    } finally {
      await client.close();
    }
  });

  for (const path of ['/token', '/reg']) {
    it(`answers a 5 MiB body on ${path} with the same readable 413`, async () => {
      const response = await post(
        `${proxy.baseUrl}${path}`,
        { 'content-type': path === '/reg' ? 'application/json' : 'application/x-www-form-urlencoded' },
        Buffer.alloc(5 * MIB, 'a'),
      );
      assert.equal(response.status, 413);
      assert.equal(response.headers.get('connection'), 'close');
      assert.deepEqual(await response.json(), {
        error: 'request_too_large',
        error_description: `The request body exceeds ${PROVIDER_BODY_LIMIT_BYTES} bytes.`,
      });
    });
  }

  it('lets a client read the refusal of a chunked 5 MiB registration (the engine answers it)', async () => {
    const response = await post(
      `${proxy.baseUrl}/reg`,
      { 'content-type': 'application/json' },
      chunkedBody(5 * MIB),
    );
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: string }).error, 'invalid_request');
  });
});
