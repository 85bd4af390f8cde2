/**
 * Without MCP_AUTH_PROXY_METRICS_PORT or _TOKEN there are no metrics: no
 * listener, /metrics on the public port is the 404 of any unknown path, and
 * prom-client is never loaded (optional drivers load lazily).
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { startTestProxy } from '../../support/test-proxy.ts';

const require = createRequire(import.meta.url);
/** prom-client is CommonJS: importing it puts its files in the CommonJS module cache. */
const promClientLoaded = () =>
  Object.keys(require.cache).some((path) => path.includes('/node_modules/prom-client/'));

describe('metrics when not configured', () => {
  it('answers /metrics with 404, starts no listener and never loads prom-client', async (t) => {
    const proxy = await startTestProxy();
    t.after(() => proxy.close());
    assert.equal(proxy.config.metrics, undefined);
    assert.equal(proxy.app.metricsUrl, undefined);

    for (const headers of [{}, { authorization: 'Bearer scrape-token-0123456789abcdef' }]) {
      const response = await fetch(`${proxy.baseUrl}/metrics`, { headers });
      assert.equal(response.status, 404);
      assert.equal(((await response.json()) as { error: string }).error, 'not_found');
    }
    assert.ok(!proxy.logs.some((line) => line['event'] === 'metrics.listening'));
    assert.equal(promClientLoaded(), false);
  });

  it('loads prom-client once metrics are configured, and serves no public /metrics without the token', async (t) => {
    const proxy = await startTestProxy({ env: { MCP_AUTH_PROXY_METRICS_PORT: '0' } });
    t.after(() => proxy.close());
    assert.equal(promClientLoaded(), true);
    assert.ok(proxy.logs.some((line) => line['event'] === 'metrics.listening'));

    const listener = await fetch(`${proxy.app.metricsUrl}/metrics`);
    assert.equal(listener.status, 200);
    assert.match(await listener.text(), /^# HELP mcp_auth_proxy_/m);
    const publicPort = await fetch(`${proxy.baseUrl}/metrics`);
    assert.equal(publicPort.status, 404);
    await publicPort.arrayBuffer();
  });

  it('stops the metrics listener when the app closes', async () => {
    const proxy = await startTestProxy({ env: { MCP_AUTH_PROXY_METRICS_PORT: '0' } });
    const url = `${proxy.app.metricsUrl}/metrics`;
    const before = await fetch(url);
    assert.equal(before.status, 200);
    await before.arrayBuffer();
    await proxy.close();
    await assert.rejects(fetch(url), /fetch failed/);
  });
});
