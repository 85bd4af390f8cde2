/**
 * A store that fails is counted: with its private redis-server killed, the
 * readiness probe's ping fails, and the metrics (served without the store)
 * show the error by operation. The shared Redis is never touched.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Socket } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { freePort } from '../../support/free-port.ts';
import { parsePrometheusText, sampleValue } from '../../support/prometheus-text.ts';
import { uniqueRedisPrefix } from '../../support/redis.ts';
import { startTestProxy } from '../../support/test-proxy.ts';
import { eventually } from '../proxy/proxy-steps.ts';

const REDIS_SERVER = '/usr/bin/redis-server';

function redisServerOrSkip(t: TestContext): boolean {
  if (existsSync(REDIS_SERVER)) return true;
  if (process.env['CI'] === 'true') throw new Error(`${REDIS_SERVER} is missing, and CI=true requires it`);
  process.stderr.write(`\n!!! SKIPPED: no ${REDIS_SERVER}; install redis-server to run this test !!!\n\n`);
  t.skip(`no ${REDIS_SERVER}`);
  return false;
}

async function answersPing(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => {
      socket.write('PING\r\n');
      socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    });
  });
}

describe('store metrics', () => {
  it('counts the failed store calls of a Redis outage by operation', async (t) => {
    if (!redisServerOrSkip(t)) return;
    const port = await freePort();
    const redis = spawn(
      REDIS_SERVER,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    t.after(() => {
      if (redis.exitCode === null && redis.signalCode === null) redis.kill('SIGKILL');
    });
    await eventually('the private redis-server to answer', async () =>
      (await answersPing(port)) ? true : undefined,
    );
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
