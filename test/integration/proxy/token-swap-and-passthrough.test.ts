import assert from 'node:assert/strict';
import { request, type IncomingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  ALICE,
  CLIENT_TOKEN,
  IDP_TOKEN,
  MCP_POST_HEADERS,
  USER_ID_HEADER,
  bearer,
  initializeRequest,
  startProxyHarness,
  type ProxyHarness,
} from './proxy-harness.ts';

interface Echo {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

/** node:http, not fetch: raw header names on the wire, no automatic decompression, no default User-Agent. */
function raw(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    chunked?: boolean;
  } = {},
): Promise<RawResponse> {
  const { hostname, port, pathname, search } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname, port, path: pathname + search, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on('error', reject);
    if (options.chunked === true && options.body !== undefined) {
      const body = Buffer.from(options.body);
      req.write(body.subarray(0, 3));
      setImmediate(() => req.end(body.subarray(3)));
    } else {
      req.end(options.body);
    }
  });
}

const echoed = (response: RawResponse): Echo => JSON.parse(response.body.toString('utf8')) as Echo;

describe('token swap and passthrough', () => {
  let harness: ProxyHarness;
  let echoUrl: string;
  before(async () => {
    harness = await startProxyHarness({ fixture: { stateful: true } });
    echoUrl = `${harness.url}/__fixture/echo`;
  });
  after(() => harness.close());

  // req: A3.4
  it('sends the IdP token and the identity headers upstream, never the client token', async () => {
    const { headers } = echoed(
      await raw(echoUrl, {
        headers: { ...bearer(CLIENT_TOKEN), 'x-request-id': 'req-123.abc', 'user-agent': 'inspector/2.12' },
      }),
    );
    assert.equal(headers.authorization, `Bearer ${IDP_TOKEN}`);
    assert.equal(headers['x-authorization-scope'], 'openid global');
    assert.equal(headers['x-dynamic-client-id'], ALICE.clientId);
    assert.equal(headers[USER_ID_HEADER.toLowerCase()], ALICE.accountId);
    assert.equal(headers['x-request-id'], 'req-123.abc');
    assert.equal(headers['user-agent'], 'inspector/2.12');
    assert.ok(!JSON.stringify(harness.fixture.seenHeaders).includes(CLIENT_TOKEN));
  });

  it('strips client-sent copies of the identity headers, cookies and proxy credentials', async () => {
    const { headers } = echoed(
      await raw(echoUrl, {
        headers: {
          ...bearer(CLIENT_TOKEN),
          'x-authorization-scope': 'admin',
          'x-dynamic-client-id': 'forged-client',
          [USER_ID_HEADER]: 'account-root',
          cookie: '_session=abc',
          'proxy-authorization': 'Basic Zm9vOmJhcg==',
        },
      }),
    );
    assert.equal(headers['x-authorization-scope'], 'openid global');
    assert.equal(headers['x-dynamic-client-id'], ALICE.clientId);
    assert.equal(headers[USER_ID_HEADER.toLowerCase()], ALICE.accountId);
    assert.equal(headers.cookie, undefined);
    assert.equal(headers['proxy-authorization'], undefined);
  });

  it('defaults the User-Agent to MCP-Auth-Proxy and replaces an unusable request id', async () => {
    const { headers } = echoed(
      await raw(echoUrl, { headers: { ...bearer(CLIENT_TOKEN), 'x-request-id': 'bad id\twith spaces' } }),
    );
    assert.equal(headers['user-agent'], 'MCP-Auth-Proxy');
    assert.match(String(headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('strips hop-by-hop request headers, including those named in Connection', async () => {
    const { headers } = echoed(
      await raw(echoUrl, {
        method: 'POST',
        chunked: true,
        body: 'chunked body',
        headers: {
          ...bearer(CLIENT_TOKEN),
          connection: 'keep-alive, X-Drop-Me',
          'x-drop-me': '1',
          'keep-alive': 'timeout=5',
          'proxy-connection': 'keep-alive',
          te: 'trailers',
          trailer: 'x-checksum',
          upgrade: 'h2c',
          'x-keep-me': '1',
        },
      }),
    );
    for (const name of [
      'x-drop-me',
      'keep-alive',
      'proxy-connection',
      'te',
      'trailer',
      'upgrade',
      'transfer-encoding',
    ]) {
      assert.equal(headers[name], undefined, name);
    }
    assert.notEqual(headers.connection, 'keep-alive, X-Drop-Me');
    assert.equal(headers['x-keep-me'], '1');
  });

  // req: A9.6, A9.8, A9.9
  it('forwards the MCP request headers unchanged', async () => {
    const sent = {
      'mcp-session-id': 'session-1',
      'mcp-protocol-version': '2026-07-28',
      'last-event-id': 'stream-1_42',
      'mcp-method': 'tools/call',
      'mcp-name': 'echo',
      'mcp-param-region': '=?base64?ZXUtd2VzdA==?=',
      accept: 'application/json, text/event-stream',
      'content-type': 'application/json',
      'cache-control': 'no-cache',
      origin: 'http://localhost:6274',
    };
    const { headers, body, method } = echoed(
      await raw(echoUrl, { method: 'POST', headers: { ...bearer(CLIENT_TOKEN), ...sent }, body: '{"a":1}' }),
    );
    for (const [name, value] of Object.entries(sent)) assert.equal(headers[name], value, name);
    assert.equal(method, 'POST');
    assert.equal(body, '{"a":1}');
  });

  // req: A9.2
  it('forwards a chunked body of any content type as the same bytes, with a Content-Length', async () => {
    const body = 'ünïcödé\u0000 bytes, not JSON {';
    const { headers, body: received } = echoed(
      await raw(echoUrl, {
        method: 'PUT',
        headers: { ...bearer(CLIENT_TOKEN), 'content-type': 'text/x-weird' },
        body,
        chunked: true,
      }),
    );
    assert.equal(received, body);
    assert.equal(headers['content-type'], 'text/x-weird');
    assert.equal(headers['content-length'], String(Buffer.byteLength(body)));
    assert.equal(headers['transfer-encoding'], undefined);
  });

  // req: A2.5
  it('passes end-to-end response headers through and strips hop-by-hop and Set-Cookie', async () => {
    const query = new URLSearchParams({ status: '403' });
    for (const header of [
      'Connection:X-Hop-Response',
      'X-Hop-Response:1',
      'Proxy-Connection:keep-alive',
      'Upgrade:h2c',
      'Set-Cookie:_session=evil; Path=/',
      'Location:/mcp/elsewhere',
      'Cache-Control:no-store, private',
      'WWW-Authenticate:Bearer error="insufficient_scope", scope="admin"',
      'Mcp-Session-Id:session-9',
      'MCP-Protocol-Version:2025-11-25',
      'X-Custom:kept',
    ]) {
      query.append('header', header);
    }
    query.set('body', 'forbidden');
    const response = await raw(`${harness.url}/__fixture/respond?${query.toString()}`, {
      headers: bearer(CLIENT_TOKEN),
    });
    assert.equal(response.status, 403);
    assert.equal(response.body.toString(), 'forbidden');
    const h = response.headers;
    assert.equal(h['x-hop-response'], undefined);
    assert.equal(h['proxy-connection'], undefined);
    assert.equal(h.upgrade, undefined);
    assert.equal(h['set-cookie'], undefined);
    assert.equal(h.location, '/mcp/elsewhere');
    assert.equal(h['cache-control'], 'no-store, private');
    assert.equal(h['www-authenticate'], 'Bearer error="insufficient_scope", scope="admin"');
    assert.equal(h['mcp-session-id'], 'session-9');
    assert.equal(h['mcp-protocol-version'], '2025-11-25');
    assert.equal(h['x-custom'], 'kept');
  });

  it('passes a compressed body through as the same bytes with its Content-Encoding', async () => {
    const gzipped = gzipSync('{"compressed":true}');
    const query = new URLSearchParams({ status: '200', body: gzipped.toString('latin1') });
    query.append('header', 'Content-Encoding:gzip');
    query.append('header', 'Content-Type:application/json');
    const response = await raw(`${harness.url}/__fixture/respond?${query.toString()}`, {
      headers: { ...bearer(CLIENT_TOKEN), 'accept-encoding': 'gzip' },
    });
    assert.equal(response.headers['content-encoding'], 'gzip');
    const upstreamBytes = await raw(`${harness.fixture.url}/__fixture/respond?${query.toString()}`);
    assert.deepEqual(response.body, upstreamBytes.body);
  });

  // req: A9.1, A9.3, A9.5, A9.7
  it('passes 202, 204, 404 and 405 through unchanged', async () => {
    const initialize = await raw(harness.url, {
      method: 'POST',
      headers: { ...MCP_POST_HEADERS, ...bearer(CLIENT_TOKEN) },
      body: initializeRequest(),
    });
    assert.equal(initialize.status, 200);
    const sessionId = String(initialize.headers['mcp-session-id']);
    const session = {
      ...MCP_POST_HEADERS,
      ...bearer(CLIENT_TOKEN),
      'mcp-session-id': sessionId,
      'mcp-protocol-version': '2025-11-25',
    };

    const accepted = await raw(harness.url, {
      method: 'POST',
      headers: session,
      body: '{"jsonrpc":"2.0","method":"notifications/initialized"}',
    });
    assert.equal(accepted.status, 202);
    const noContent = await raw(`${harness.url}/__fixture/respond?status=204`, {
      headers: bearer(CLIENT_TOKEN),
    });
    assert.equal(noContent.status, 204);
    const unknownSession = await raw(harness.url, {
      method: 'POST',
      headers: { ...session, 'mcp-session-id': 'no-such-session' },
      body: '{"jsonrpc":"2.0","id":2,"method":"tools/list"}',
    });
    assert.equal(unknownSession.status, 404);
    const put = await raw(harness.url, { method: 'PUT', headers: session, body: '{}' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.allow, 'GET, POST, DELETE');
  });

  // req: A9.8
  it("passes the MCP server's own 400 for malformed JSON through byte for byte", async () => {
    const body = '{"jsonrpc":"2.0", "id": 1, "method": ';
    const stateless = await startProxyHarness({ fixture: { stateful: false } });
    try {
      const headers = { ...MCP_POST_HEADERS, 'mcp-protocol-version': '2025-11-25' };
      const direct = await raw(stateless.fixture.url, { method: 'POST', headers, body });
      const proxied = await raw(stateless.url, {
        method: 'POST',
        headers: { ...headers, ...bearer(CLIENT_TOKEN) },
        body,
      });
      assert.equal(direct.status, 400);
      assert.equal(proxied.status, 400);
      assert.equal(proxied.headers['content-type'], direct.headers['content-type']);
      assert.deepEqual(proxied.body, direct.body);
    } finally {
      await stateless.close();
    }
  });
});

describe('subpath and query forwarding', () => {
  let harness: ProxyHarness;
  before(async () => {
    harness = await startProxyHarness({
      fixture: { stateful: false },
      mcpServerUrl: (fixtureUrl) => `${fixtureUrl}?tenant=t1`,
    });
  });
  after(() => harness.close());

  it("appends the subpath and puts MCP_SERVER_URL's query before the request's", async () => {
    const { url } = echoed(
      await raw(`${harness.url}/__fixture/echo?y=2&z=3`, { headers: bearer(CLIENT_TOKEN) }),
    );
    assert.equal(url, '/mcp/__fixture/echo?tenant=t1&y=2&z=3');
  });

  it("keeps MCP_SERVER_URL's query alone when the request has none", async () => {
    const { url } = echoed(await raw(`${harness.url}/__fixture/echo`, { headers: bearer(CLIENT_TOKEN) }));
    assert.equal(url, '/mcp/__fixture/echo?tenant=t1');
  });

  it('serves the MCP endpoint itself with the merged query', async () => {
    const response = await raw(`${harness.url}?debug=1`, {
      method: 'POST',
      headers: { ...MCP_POST_HEADERS, ...bearer(CLIENT_TOKEN) },
      body: initializeRequest(),
    });
    assert.equal(response.status, 200);
    assert.equal(harness.fixture.seenUrls.at(-1), '/mcp?tenant=t1&debug=1');
  });
});
