import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { Registry } from 'prom-client';
import { serveHealthRoutesFirst } from '../../../src/http/health-routes.ts';
import { createPublicMetricsRoute } from '../../../src/metrics/public-metrics-route.ts';

const TOKEN = 'scrape-token-0123456789abcdef';

/** The route behind a TLS router (forwarded headers trusted), as in production. */
async function serveBehindRouter(t: TestContext): Promise<string> {
  const route = createPublicMetricsRoute({
    token: TOKEN,
    exposition: { contentType: new Registry().contentType, text: () => Promise.resolve('') },
    trustForwarded: true,
  });
  const serve = serveHealthRoutesFirst([route], () => Promise.reject(new Error('not reached')));
  const server = createServer((req, res) => void serve(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

describe('GET /metrics on the public port', () => {
  it('takes the token only over https, as the router reports it', async (t) => {
    const url = await serveBehindRouter(t);
    const authorization = `Bearer ${TOKEN}`;
    const plain = await fetch(url, { headers: { authorization, 'x-forwarded-proto': 'http' } });
    assert.equal(plain.status, 400);
    assert.equal(((await plain.json()) as { error: string }).error, 'invalid_request');

    const secure = await fetch(url, { headers: { authorization, 'x-forwarded-proto': 'https' } });
    assert.equal(secure.status, 200);
    assert.equal(secure.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    await secure.arrayBuffer();
  });

  it('answers HEAD with the headers alone, and accepts the scheme in any case', async (t) => {
    const url = await serveBehindRouter(t);
    const head = await fetch(url, {
      method: 'HEAD',
      headers: { authorization: `bearer ${TOKEN}`, 'x-forwarded-proto': 'https' },
    });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  });
});
