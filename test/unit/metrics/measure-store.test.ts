import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { measureStore } from '../../../src/metrics/measure-store.ts';
import { createProxyMetrics } from '../../../src/metrics/proxy-metrics.ts';
import { createMemoryStore } from '../../../src/store/index.ts';
import { parsePrometheusText, sampleValue } from '../../support/prometheus-text.ts';

const fixedClock = { nowMs: () => 1_700_000_000_000 };

async function scrape(metrics: ReturnType<typeof createProxyMetrics>) {
  return parsePrometheusText(await metrics.exposition.text());
}

describe('the measured store', () => {
  it('answers exactly as the store it wraps', async () => {
    const store = measureStore(
      createMemoryStore({ clock: fixedClock }),
      createProxyMetrics({ supervised: false }),
    );
    assert.equal(store.kind, 'memory');
    await store.set('a', '1');
    assert.equal(await store.get('a'), '1');
    assert.equal(await store.setIfAbsent('a', '2'), false);
    assert.equal(await store.compareAndSet('a', '1', '3'), true);
    assert.equal(await store.take('a'), '3');
    assert.equal(await store.get('a'), undefined);
    await store.addToSet('s', 'x');
    assert.deepEqual(await store.members('s'), ['x']);
    assert.deepEqual(await store.increment('n', 60_000, 2), { count: 2, resetInMs: 60_000 });
    const keys: string[] = [];
    for await (const key of store.keys('')) keys.push(key);
    assert.deepEqual(keys.sort(), ['n', 's']);
    await store.delete('s');
    await store.ping();
    await store.close();
  });

  it('times every call and counts the failed ones, by operation', async () => {
    const metrics = createProxyMetrics({ supervised: false });
    const store = measureStore(createMemoryStore({ clock: fixedClock }), metrics);
    await store.get('missing');
    await store.get('missing');
    await assert.rejects(store.increment('n', 60_000, 0.5), RangeError);

    const scraped = await scrape(metrics);
    const count = (operation: string) =>
      sampleValue(scraped, 'mcp_auth_proxy_store_operation_duration_seconds_count', { operation });
    const errors = (operation: string) =>
      sampleValue(scraped, 'mcp_auth_proxy_store_errors_total', { operation });
    assert.equal(count('get'), 2);
    assert.equal(count('increment'), 1, 'a failed call is timed too');
    assert.equal(errors('increment'), 1);
    assert.equal(errors('get'), 0);
    assert.equal(errors('ping'), 0, 'every operation starts at zero errors');
  });
});
