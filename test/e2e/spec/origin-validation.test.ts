/**
 * Origin validation on the MCP endpoint (DNS rebinding; MCP transports
 * [06]/[11] §2.0.1, [26] streamable-http §1; conformance
 * `dns-rebinding-protection`).
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { obtainTokens } from '../../support/raw-oauth.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'origin-test', version: '1' },
  },
});

/** A raw request (so that Host can be set), answering status, headers and body. */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('Origin and Host on the MCP endpoint, in local mode (LOCAL_INSECURE=true)', () => {
  let proxy: TestProxy;
  let token: string;
  before(async () => {
    proxy = await startTestProxy({ env: { MCP_AUTH_PROXY_ALLOWED_ORIGINS: 'https://app.example.com' } });
    token = (await obtainTokens(proxy.baseUrl)).tokens.access_token;
  });
  after(async () => {
    await proxy.close();
  });

  const call = (headers: Record<string, string>) =>
    send(proxy.mcpUrl, {
      headers: { ...MCP_HEADERS, authorization: `Bearer ${token}`, ...headers },
      body: INITIALIZE,
    });

  // req: A9.10
  it('serves requests without Origin (programs, not browsers)', async () => {
    assert.equal((await call({})).status, 200);
  });

  // req: A9.10
  it('serves BASE_URL’s own origin, the configured ones and, locally, loopback origins', async () => {
    for (const origin of [
      new URL(proxy.baseUrl).origin,
      'https://app.example.com',
      'http://localhost:6274',
    ]) {
      assert.equal((await call({ origin })).status, 200, origin);
    }
  });

  // req: A9.10
  it('answers any other Origin with a 403 JSON error, even with a valid token, and forwards nothing', async () => {
    const before = proxy.logs.length;
    for (const origin of ['http://evil.example', 'https://app.example.com.evil.example', 'null']) {
      const answer = await call({ origin });
      assert.equal(answer.status, 403, origin);
      assert.match(String(answer.headers['content-type']), /^application\/json/);
      assert.equal((JSON.parse(answer.body) as { error: string }).error, 'forbidden');
    }
    const forwarded = proxy.logs
      .slice(before)
      .filter((line) => String(line.event).startsWith('proxy.upstream'));
    assert.deepEqual(forwarded, []);
  });

  // req: A9.10
  it('refuses the CORS preflight of a foreign origin too', async () => {
    const answer = await send(proxy.mcpUrl, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(answer.status, 403);
    const allowed = await send(proxy.mcpUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
    });
    assert.equal(allowed.status, 204);
  });

  // req: A9.10
  it('refuses a Host that is neither BASE_URL’s nor loopback (a rebinding page), with 403', async () => {
    const answer = await call({ host: 'evil.example.com' });
    assert.equal(answer.status, 403);
    const port = new URL(proxy.baseUrl).port;
    assert.equal((await call({ host: `localhost:${port}` })).status, 200);
  });

  it('does not check Origin on the OAuth endpoints, which browsers call cross-origin (CORS)', async () => {
    const answer = await send(`${proxy.baseUrl}/.well-known/oauth-authorization-server`, {
      method: 'GET',
      headers: { origin: 'http://evil.example' },
    });
    assert.equal(answer.status, 200);
  });
});
