import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { countEvents } from '../../../src/metrics/count-events.ts';
import { createProxyMetrics } from '../../../src/metrics/proxy-metrics.ts';
import { parsePrometheusText, sampleValue } from '../../support/prometheus-text.ts';

const request = {} as IncomingMessage;

describe('the metrics observer', () => {
  it('follows the supervised MCP server: running 1 or 0, restarts counted', async () => {
    const metrics = createProxyMetrics({ supervised: true });
    const observe = countEvents(metrics);
    const running = async () =>
      sampleValue(
        parsePrometheusText(await metrics.exposition.text()),
        'mcp_auth_proxy_supervisor_child_running',
      );
    observe({ type: 'supervisor.child', state: 'running', restart: false });
    assert.equal(await running(), 1);
    observe({ type: 'supervisor.child', state: 'exited', restart: false });
    assert.equal(await running(), 0);
    observe({ type: 'supervisor.child', state: 'running', restart: true });
    observe({ type: 'supervisor.child', state: 'stopped', restart: false });
    const scraped = parsePrometheusText(await metrics.exposition.text());
    assert.equal(sampleValue(scraped, 'mcp_auth_proxy_supervisor_child_running'), 0);
    assert.equal(sampleValue(scraped, 'mcp_auth_proxy_supervisor_restarts_total'), 1);
  });

  it('exports no supervisor metrics when the proxy runs no MCP server', async () => {
    const metrics = createProxyMetrics({ supervised: false });
    countEvents(metrics)({ type: 'supervisor.child', state: 'running', restart: false });
    assert.doesNotMatch(await metrics.exposition.text(), /supervisor/);
  });

  it('keeps the open SSE streams as a gauge', async () => {
    const metrics = createProxyMetrics({ supervised: false });
    const observe = countEvents(metrics);
    observe({ type: 'mcp.stream_opened' });
    observe({ type: 'mcp.stream_opened' });
    observe({ type: 'mcp.stream_closed' });
    const scraped = parsePrometheusText(await metrics.exposition.text());
    assert.equal(sampleValue(scraped, 'mcp_auth_proxy_mcp_streams_open'), 1);
  });

  it('turns free-form values into a fixed set of labels', async () => {
    const metrics = createProxyMetrics({ supervised: false });
    const observe = countEvents(metrics);
    observe({
      type: 'signin.failed',
      reason: 'Weird <reason> from somewhere',
      clientId: 'c',
      clientName: undefined,
      request,
    });
    observe({
      type: 'signin.failed',
      reason: 'access_denied',
      clientId: 'c',
      clientName: undefined,
      request,
    });
    observe({
      type: 'token.issued',
      grantType: 'urn:example:custom-grant',
      clientId: 'c',
      accountId: undefined,
      grantId: undefined,
      request: undefined,
    });
    observe({
      type: 'mcp.request',
      method: 'tools/call',
      status: 503,
      durationSeconds: 0.2,
      upstreamFirstByteSeconds: undefined,
    });
    const scraped = parsePrometheusText(await metrics.exposition.text());
    assert.equal(sampleValue(scraped, 'mcp_auth_proxy_idp_signins_failed_total', { reason: 'other' }), 1);
    assert.equal(
      sampleValue(scraped, 'mcp_auth_proxy_idp_signins_failed_total', { reason: 'access_denied' }),
      1,
    );
    assert.equal(sampleValue(scraped, 'mcp_auth_proxy_tokens_issued_total', { grant_type: 'other' }), 1);
    assert.equal(
      sampleValue(scraped, 'mcp_auth_proxy_mcp_requests_total', {
        method: 'tools/call',
        status_class: '5xx',
      }),
      1,
    );
    assert.equal(
      sampleValue(scraped, 'mcp_auth_proxy_mcp_upstream_first_byte_seconds_count', { method: 'tools/call' }),
      undefined,
      'a request never forwarded has no upstream time',
    );
  });
});
