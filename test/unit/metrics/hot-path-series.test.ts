import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HotPathHistogram } from '../../../src/metrics/hot-path-histogram.ts';
import { RequestCounter } from '../../../src/metrics/request-counter.ts';
import { parsePrometheusText, sampleValue } from '../../support/prometheus-text.ts';

describe('the series kept for the hot path', () => {
  it('renders a histogram as Prometheus does: cumulative buckets, +Inf, sum and count', () => {
    const histogram = new HotPathHistogram('h_seconds', 'Some durations.', 'method', [0.01, 0.1, 1]);
    for (const seconds of [0.005, 0.01, 0.05, 0.5, 7]) histogram.observe('tools/call', seconds);
    histogram.observe('initialize', 0.2);
    const scrape = parsePrometheusText(histogram.render());
    assert.equal(scrape.types.get('h_seconds'), 'histogram');
    const bucket = (le: string) => sampleValue(scrape, 'h_seconds_bucket', { method: 'tools/call', le });
    // A bound is inclusive: 0.01 falls in le="0.01".
    assert.deepEqual(['0.01', '0.1', '1', '+Inf'].map(bucket), [2, 3, 4, 5]);
    assert.equal(sampleValue(scrape, 'h_seconds_count', { method: 'tools/call' }), 5);
    assert.ok(Math.abs((sampleValue(scrape, 'h_seconds_sum', { method: 'tools/call' }) ?? 0) - 7.565) < 1e-9);
    assert.equal(sampleValue(scrape, 'h_seconds_bucket', { method: 'initialize', le: '0.1' }), 0);
    assert.equal(sampleValue(scrape, 'h_seconds_bucket', { method: 'initialize', le: '1' }), 1);
  });

  it('escapes label values, so that no value can break the format', () => {
    const histogram = new HotPathHistogram('h_seconds', 'Help with \\ and\nnewline.', 'method', [1]);
    histogram.observe('a "quoted" \\ value\nwith a newline', 0.5);
    const scrape = parsePrometheusText(histogram.render());
    assert.equal(scrape.samples[0]?.labels['method'], 'a "quoted" \\ value\nwith a newline');
    assert.match(histogram.render(), /^# HELP h_seconds Help with \\\\ and\\nnewline\.$/m);
  });

  it('counts requests by method and status class, and a status outside 100-599 as other', () => {
    const counter = new RequestCounter('requests_total', 'Requests.');
    for (const status of [200, 202, 404, 429, 503, 0, 600]) counter.inc('tools/call', status);
    counter.inc('initialize', 101);
    const scrape = parsePrometheusText(counter.render());
    assert.equal(scrape.types.get('requests_total'), 'counter');
    const count = (method: string, statusClass: string) =>
      sampleValue(scrape, 'requests_total', { method, status_class: statusClass });
    assert.deepEqual(
      ['2xx', '4xx', '5xx', 'other', '1xx', '3xx'].map((statusClass) => count('tools/call', statusClass)),
      [2, 2, 1, 2, undefined, undefined],
    );
    assert.equal(count('initialize', '1xx'), 1);
  });
});
