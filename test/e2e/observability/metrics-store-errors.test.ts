/**
 * A store that fails is counted: with its private redis-server killed, the
 * readiness probe's ping fails, and the metrics (served without the store)
 * show the error by operation. The shared Redis is never touched.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { freePort } from '../../support/free-port.ts';
import { parsePrometheusText, sampleValue } from '../../support/prometheus-text.ts';
import { uniqueRedisPrefix } from '../../support/redis.ts';
import {
  ask,
  EPHEMERAL_SERVER_ARGS,
  REDIS_SERVER,
  redisBinariesOrSkip,
  until,
} from '../../support/redis-processes.ts';
import { startTestProxy } from '../../support/test-proxy.ts';
import { eventually } from '../proxy/proxy-steps.ts';

describe('store metrics', () => {
  it('counts the failed store calls of a Redis outage by operation', async (t) => {
    if (!redisBinariesOrSkip(t, 'the store metrics test')) return;
    const port = await freePort();
    const redis = spawn(REDIS_SERVER, ['--port', String(port), ...EPHEMERAL_SERVER_ARGS], {
      stdio: 'ignore',
    });
    t.after(() => {
      if (redis.exitCode === null && redis.signalCode === null) redis.kill('SIGKILL');
    });
    await until('the private redis-server to answer', async () => (await ask(port, 'PING')) === 'PONG');
    const proxy = await startTestProxy({
      store: { kind: 'redis', url: `redis://127.0.0.1:${port}`, prefix: uniqueRedisPrefix('metrics') },
      env: { MCP_AUTH_PROXY_METRICS_PORT: '0' },
    });
    t.after(() => proxy.close());
    const scrape = async () => {
      const response = await fetch(`${proxy.app.metricsUrl}/metrics`);
      return parsePrometheusText(await response.text());
    };
    const pingErrors = { operation: 'ping' };
    const healthy = await scrape();
    assert.equal(sampleValue(healthy, 'mcp_auth_proxy_store_errors_total', pingErrors), 0);
    assert.ok(
      (sampleValue(healthy, 'mcp_auth_proxy_store_operation_duration_seconds_count', pingErrors) ?? 0) >= 1,
    );

    redis.kill('SIGKILL');
    const readiness = await fetch(`${proxy.baseUrl}/readyz`);
    assert.equal(readiness.status, 503);
    assert.deepEqual(((await readiness.json()) as { failing: string[] }).failing, ['store']);

    const errors = await eventually('the failed ping to be counted', async () => {
      const count = sampleValue(await scrape(), 'mcp_auth_proxy_store_errors_total', pingErrors);
      return count !== undefined && count > 0 ? count : undefined;
    });
    assert.equal(errors, 1);
  });
});
