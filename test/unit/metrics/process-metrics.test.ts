import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { registerProcessMetrics } from '../../../src/metrics/process-metrics.ts';
import { parsePrometheusText, sampleValue } from '../../support/prometheus-text.ts';

describe('process metrics', () => {
  it('reads CPU, memory, descriptors and event loop delay under the usual Node.js names', async (t) => {
    const registry = new Registry();
    const processMetrics = registerProcessMetrics(registry);
    t.after(() => processMetrics.stop());
    const first = parsePrometheusText(await registry.metrics());
    const cpu = sampleValue(first, 'process_cpu_seconds_total') ?? 0;
    assert.ok(cpu > 0, 'the CPU time since the process started');
    const user = sampleValue(first, 'process_cpu_user_seconds_total') ?? 0;
    const system = sampleValue(first, 'process_cpu_system_seconds_total') ?? 0;
    assert.ok(Math.abs(user + system - cpu) < 1e-9);
    assert.ok((sampleValue(first, 'process_resident_memory_bytes') ?? 0) > 0);
    assert.ok((sampleValue(first, 'nodejs_heap_size_used_bytes') ?? 0) > 0);
    assert.ok((sampleValue(first, 'process_start_time_seconds') ?? 0) > 1_600_000_000);
    if (process.platform === 'linux') assert.ok((sampleValue(first, 'process_open_fds') ?? 0) > 0);
    assert.equal(first.types.get('nodejs_eventloop_lag_p99_seconds'), 'gauge');
    const [major, minor, patch] = process.versions.node.split('.');
    assert.equal(
      sampleValue(first, 'nodejs_version_info', {
        version: process.version,
        major: major!,
        minor: minor!,
        patch: patch!,
      }),
      1,
    );

    const second = parsePrometheusText(await registry.metrics());
    assert.ok((sampleValue(second, 'process_cpu_seconds_total') ?? 0) >= cpu, 'a counter never goes down');
  });

  it('leaves out the garbage collection histogram, which observes every collection', async (t) => {
    const registry = new Registry();
    const processMetrics = registerProcessMetrics(registry);
    t.after(() => processMetrics.stop());
    assert.doesNotMatch(await registry.metrics(), /nodejs_gc_/);
  });
});
