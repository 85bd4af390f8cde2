/**
 * Prometheus metrics of one MCP client's life through the proxy (sign-in,
 * tool call, refresh, revocation), scraped as Prometheus would: on the
 * separate listener, and on the public port with the metrics token.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ObservedEvent } from '../../../src/observability/index.ts';
import { refreshTokens } from '../../support/login-bridge-steps.ts';
import { revokeAsPublicClient } from '../../support/raw-oauth.ts';
import {
  exportedNames,
  parsePrometheusText,
  sampleValue,
  type Scrape,
} from '../../support/prometheus-text.ts';
import { authorizeWithSdk, TestOAuthClient } from '../../support/sdk-oauth-client.ts';
import { startTestProxy, type SupervisedTestProxy } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { eventually } from '../proxy/proxy-steps.ts';
import { metricNamesOfDashboard } from './dashboard-queries.ts';

const METRICS_TOKEN = 'scrape-token-0123456789abcdef';
const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';
const DASHBOARD = new URL('../../../docs/grafana/mcp-auth-proxy.json', import.meta.url);
/** Every label our metrics use: each one a fixed set of values (src/metrics/label-values.ts). */
const OUR_LABELS = new Set([
  'kind',
  'answer',
  'reason',
  'grant_type',
  'cause',
  'method',
  'status_class',
  'outcome',
  'limiter',
  'operation',
  'le',
]);

async function scrape(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  assert.equal(response.headers.get('content-type'), PROMETHEUS_TEXT);
  return parsePrometheusText(text);
}

describe('Prometheus metrics after one client signs in, calls a tool, refreshes and revokes', () => {
  let proxy: SupervisedTestProxy;
  const events: ObservedEvent[] = [];
  const secrets: string[] = [];
  let clientId = '';
  let listenerScrape: Scrape;
  before(async () => {
    proxy = await startTestProxy({
      supervisedMcp: {},
      observers: [(event) => events.push(event)],
      env: { MCP_AUTH_PROXY_METRICS_PORT: '0', MCP_AUTH_PROXY_METRICS_TOKEN: METRICS_TOKEN },
    });
    const oauth = new TestOAuthClient();
    const { tokens } = await authorizeWithSdk(proxy.mcpUrl, oauth, new UserAgent(), { username: 'alice' });
    clientId = oauth.clientInformation()?.client_id ?? '';
    const mcp = new Client({ name: 'metrics', version: '1.0.0' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(proxy.mcpUrl), { authProvider: oauth }));
    await mcp.callTool({ name: 'echo', arguments: { text: 'counted' } });
    await mcp.close();
    const refreshed = await refreshTokens(proxy.baseUrl, clientId, tokens.refresh_token ?? '', proxy.mcpUrl);
    assert.equal(refreshed.status, 200);
    const newTokens = refreshed.body as { access_token: string; refresh_token: string };
    assert.equal(await revokeAsPublicClient(proxy.baseUrl, clientId, newTokens.refresh_token), 200);
    // A page of another origin calling the MCP endpoint (DNS rebinding protection).
    const foreign = await fetch(proxy.mcpUrl, {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
    });
    assert.equal(foreign.status, 403);
    await foreign.arrayBuffer();
    secrets.push(
      tokens.access_token,
      tokens.refresh_token ?? '',
      newTokens.access_token,
      newTokens.refresh_token,
    );

    assert.ok(proxy.app.metricsUrl !== undefined, 'the separate listener runs');
    listenerScrape = await scrape(`${proxy.app.metricsUrl}/metrics`);
  });
  after(async () => {
    await proxy.close();
  });

  it('counts each step of the sign-in funnel exactly once', () => {
    const expected: Array<[string, Record<string, string>, number]> = [
      ['mcp_auth_proxy_client_registrations_total', { kind: 'dynamic' }, 1],
      ['mcp_auth_proxy_client_registrations_total', { kind: 'metadata_document' }, 0],
      ['mcp_auth_proxy_authorizations_started_total', {}, 1],
      ['mcp_auth_proxy_confirmations_shown_total', {}, 1],
      ['mcp_auth_proxy_confirmations_answered_total', { answer: 'accepted' }, 1],
      ['mcp_auth_proxy_confirmations_answered_total', { answer: 'declined' }, 0],
      ['mcp_auth_proxy_idp_signins_succeeded_total', {}, 1],
      ['mcp_auth_proxy_authorizations_completed_total', {}, 1],
      ['mcp_auth_proxy_tokens_issued_total', { grant_type: 'authorization_code' }, 1],
      ['mcp_auth_proxy_tokens_issued_total', { grant_type: 'refresh_token' }, 1],
      ['mcp_auth_proxy_refresh_tokens_reused_within_grace_total', {}, 0],
      ['mcp_auth_proxy_token_revocations_total', {}, 1],
      ['mcp_auth_proxy_grants_revoked_total', { cause: 'client' }, 1],
      ['mcp_auth_proxy_grants_revoked_total', { cause: 'replay' }, 0],
      ['mcp_auth_proxy_step_up_challenges_total', {}, 0],
      ['mcp_auth_proxy_origin_refusals_total', {}, 1],
      ['mcp_auth_proxy_foreign_session_refusals_total', {}, 0],
      ['mcp_auth_proxy_rate_limit_rejections_total', { limiter: 'address' }, 0],
      ['mcp_auth_proxy_upstream_refreshes_total', { outcome: 'failed' }, 0],
      ['mcp_auth_proxy_mcp_streams_open', {}, 0],
      ['mcp_auth_proxy_supervisor_child_running', {}, 1],
      ['mcp_auth_proxy_supervisor_restarts_total', {}, 0],
    ];
    const actual = expected.map(([name, labels]) => [
      name,
      labels,
      sampleValue(listenerScrape, name, labels),
    ]);
    assert.deepEqual(actual, expected);
  });

  it('counts MCP requests by method and status class, and times them', () => {
    const requests = (method: string, statusClass: string) =>
      sampleValue(listenerScrape, 'mcp_auth_proxy_mcp_requests_total', {
        method,
        status_class: statusClass,
      });
    assert.equal(requests('initialize', '2xx'), 1);
    assert.equal(requests('notifications/initialized', '2xx'), 1);
    assert.equal(requests('tools/call', '2xx'), 1);
    for (const name of ['mcp_request_duration_seconds', 'mcp_upstream_first_byte_seconds']) {
      const count = sampleValue(listenerScrape, `mcp_auth_proxy_${name}_count`, { method: 'tools/call' });
      assert.equal(count, 1, name);
      const slowest = sampleValue(listenerScrape, `mcp_auth_proxy_${name}_bucket`, {
        method: 'tools/call',
        le: '+Inf',
      });
      assert.equal(slowest, 1, name);
    }
    const storeCalls = listenerScrape.samples.filter(
      (sample) => sample.name === 'mcp_auth_proxy_store_operation_duration_seconds_count',
    );
    assert.ok(
      storeCalls.some((sample) => sample.labels['operation'] === 'get' && sample.value > 0),
      'store reads are timed',
    );
    assert.ok((sampleValue(listenerScrape, 'process_cpu_seconds_total') ?? 0) > 0, 'process metrics');
  });

  it('labels no series with a client id, account id, grant id or token', () => {
    const [signedIn] = events.filter((event) => event.type === 'signin.succeeded');
    assert.ok(signedIn?.type === 'signin.succeeded');
    const identifiers = [clientId, signedIn.accountId, signedIn.grantId, proxy.idp.userIdFor('alice')];
    const forbidden = [...identifiers, ...secrets].filter((value) => value !== '');
    assert.equal(forbidden.length, 4 + secrets.length);
    for (const sample of listenerScrape.samples) {
      for (const value of Object.values(sample.labels)) {
        assert.ok(!forbidden.some((secret) => value.includes(secret)), `${sample.name} ${value}`);
      }
      if (sample.name.startsWith('mcp_auth_proxy_')) {
        for (const label of Object.keys(sample.labels)) assert.ok(OUR_LABELS.has(label), label);
      }
    }
  });

  it('serves the same metrics on the public port to the metrics token only', async () => {
    const publicScrape = await scrape(`${proxy.baseUrl}/metrics`, {
      authorization: `Bearer ${METRICS_TOKEN}`,
    });
    assert.equal(sampleValue(publicScrape, 'mcp_auth_proxy_idp_signins_succeeded_total'), 1);
    assert.equal(
      sampleValue(publicScrape, 'mcp_auth_proxy_tokens_issued_total', { grant_type: 'refresh_token' }),
      1,
    );

    const anonymous = await fetch(`${proxy.baseUrl}/metrics`);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer realm="metrics"');
    assert.equal(((await anonymous.json()) as { error: string }).error, 'invalid_token');

    for (const authorization of [
      `Bearer ${METRICS_TOKEN}x`,
      `Bearer ${secrets[0] ?? ''}`,
      `Basic ${METRICS_TOKEN}`,
    ]) {
      const refused = await fetch(`${proxy.baseUrl}/metrics`, { headers: { authorization } });
      assert.equal(refused.status, 401, authorization);
      assert.match(refused.headers.get('www-authenticate') ?? '', /^Bearer realm="metrics"/);
      assert.match(refused.headers.get('content-type') ?? '', /^application\/json/);
      const body = (await refused.json()) as { error: string; error_description: string };
      assert.equal(body.error, 'invalid_token');
      assert.equal(typeof body.error_description, 'string');
    }
  });

  it('serves nothing but /metrics on the separate listener', async () => {
    const other = await fetch(`${proxy.app.metricsUrl}/healthz`);
    assert.equal(other.status, 404);
    assert.equal(((await other.json()) as { error: string }).error, 'not_found');
    const post = await fetch(`${proxy.app.metricsUrl}/metrics`, { method: 'POST' });
    assert.equal(post.status, 405);
    await post.arrayBuffer();
  });

  it('names in every Grafana dashboard query only metrics the proxy exports', async () => {
    const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as unknown;
    const exported = exportedNames(listenerScrape);
    const queries = metricNamesOfDashboard(dashboard);
    assert.ok(queries.length >= 20, `${queries.length} queries`);
    for (const { where, names } of queries) {
      assert.ok(names.length > 0, `${where} names no metric`);
      for (const name of names) assert.ok(exported.has(name), `${where}: ${name} is not exported`);
    }
  });

  it('counts a restart of the supervised MCP server', async () => {
    const crashedPid = proxy.supervisor.pid();
    assert.ok(crashedPid !== undefined);
    process.kill(crashedPid, 'SIGKILL');
    const restarted = await eventually('the restart to be counted', async () => {
      const current = await scrape(`${proxy.app.metricsUrl}/metrics`);
      return sampleValue(current, 'mcp_auth_proxy_supervisor_restarts_total') === 1 ? current : undefined;
    });
    assert.equal(sampleValue(restarted, 'mcp_auth_proxy_supervisor_child_running'), 1);
  });
});
