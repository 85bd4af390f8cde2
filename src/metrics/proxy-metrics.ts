import { Counter, Gauge, Registry } from 'prom-client';
import {
  GRANT_REVOCATION_CAUSES,
  GRANT_TYPES,
  RATE_LIMITERS,
  REGISTRATION_KINDS,
  UPSTREAM_REFRESH_OUTCOMES,
} from './label-values.ts';
import { HotPathHistogram } from './hot-path-histogram.ts';
import { registerProcessMetrics } from './process-metrics.ts';
import { RequestCounter } from './request-counter.ts';

/** Every name starts so, per Prometheus naming practice (one application prefix). */
const PREFIX = 'mcp_auth_proxy_';

/** An MCP request: from the proxy's own checks (well under 1 ms) to a tool call that runs for minutes. */
export const MCP_DURATION_BUCKETS_SECONDS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
];
/** A store call: SQLite answers in microseconds, Redis in a network round trip, a sick backend in seconds. */
export const STORE_DURATION_BUCKETS_SECONDS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

/** A counter in `registers`, its name prefixed. */
function counterIn(registers: Registry[]) {
  return <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name: PREFIX + name, help, labelNames, registers });
}

type CounterMaker = ReturnType<typeof counterIn>;

/**
 * The proxy's metrics, in their own registry (never prom-client's global one,
 * so that two apps in one process, as in tests, count apart), and the series
 * observed on every request, kept apart for speed (hot-path-histogram.ts).
 * Labels are chosen from fixed sets (label-values.ts): never a user, client,
 * grant or token.
 */
export function createProxyMetrics(options: { readonly supervised: boolean }) {
  const registry = new Registry();
  const registers = [registry];
  const counter = counterIn(registers);
  // Created in this order, which is the order of the exposition.
  const metrics = {
    registry,
    ...signInMetrics(counter),
    ...trafficMetrics(counter, registers),
    supervisor: options.supervised ? supervisorMetrics(counter, registers) : undefined,
  };
  startKnownSeriesAtZero(metrics);

  const processMetrics = registerProcessMetrics(registry);
  const hotPath = [
    metrics.mcpRequests,
    metrics.mcpRequestDuration,
    metrics.mcpUpstreamFirstByte,
    metrics.storeDuration,
  ];
  return {
    ...metrics,
    exposition: {
      contentType: registry.contentType,
      text: async () => (await registry.metrics()) + hotPath.map((metric) => metric.render()).join(''),
    },
    stop: () => processMetrics.stop(),
  };
}

/** The sign-in funnel, from a client's registration to its tokens and their revocation. */
function signInMetrics(counter: CounterMaker) {
  return {
    clientRegistrations: counter('client_registrations_total', 'Clients registered, by kind.', ['kind']),
    authorizationsStarted: counter(
      'authorizations_started_total',
      'Authorization requests that began their interaction (a user reached the sign-in flow).',
    ),
    confirmationsShown: counter('confirmations_shown_total', 'Confirmation pages shown.'),
    confirmationsAnswered: counter(
      'confirmations_answered_total',
      'Confirmation pages answered, by answer (accepted, declined).',
      ['answer'],
    ),
    signinsSucceeded: counter(
      'idp_signins_succeeded_total',
      'Sign-ins at the upstream identity provider that succeeded.',
    ),
    signinsFailed: counter(
      'idp_signins_failed_total',
      'Sign-ins at the upstream identity provider that failed, by the OAuth error they ended with.',
      ['reason'],
    ),
    signinsRefused: counter(
      'idp_signins_refused_total',
      'Sign-ins at the upstream identity provider that the access rules refused, by rule.',
      ['rule'],
    ),
    authorizationsCompleted: counter(
      'authorizations_completed_total',
      'Authorizations that sent a code to the client.',
    ),
    tokensIssued: counter('tokens_issued_total', 'Token responses, by grant type.', ['grant_type']),
    refreshReusedWithinGrace: counter(
      'refresh_tokens_reused_within_grace_total',
      'Rotated refresh tokens presented again within the reuse grace period (a client that refreshed twice).',
    ),
    tokenRevocations: counter('token_revocations_total', 'Tokens revoked by clients at /token/revocation.'),
    grantsRevoked: counter('grants_revoked_total', 'Grants revoked, by cause.', ['cause']),
    stepUpChallenges: counter(
      'step_up_challenges_total',
      'MCP requests answered with an insufficient_scope challenge (step-up).',
    ),
  };
}

/** MCP requests, the refusals on their way, and the upstream IdP and the store they wait on. */
function trafficMetrics(counter: CounterMaker, registers: Registry[]) {
  return {
    mcpRequests: new RequestCounter(
      `${PREFIX}mcp_requests_total`,
      'MCP requests, by MCP method and HTTP status class.',
    ),
    mcpRequestDuration: new HotPathHistogram(
      `${PREFIX}mcp_request_duration_seconds`,
      'MCP requests from arrival to the end of the response (for `stream`, the life of the SSE stream), by MCP method.',
      'method',
      MCP_DURATION_BUCKETS_SECONDS,
    ),
    mcpUpstreamFirstByte: new HotPathHistogram(
      `${PREFIX}mcp_upstream_first_byte_seconds`,
      'From forwarding an MCP request to the MCP server to the first byte of its answer, by MCP method.',
      'method',
      MCP_DURATION_BUCKETS_SECONDS,
    ),
    mcpStreamsOpen: new Gauge({
      name: `${PREFIX}mcp_streams_open`,
      help: 'Standalone SSE streams (GET on the MCP endpoint) open now.',
      registers,
    }),
    upstreamRefreshes: counter(
      'upstream_refreshes_total',
      'Refreshes of upstream IdP tokens, by outcome (refreshed, joined a refresh in flight, failed, refused).',
      ['outcome'],
    ),
    rateLimitRejections: counter('rate_limit_rejections_total', 'Requests refused with 429, by limiter.', [
      'limiter',
    ]),
    originRefusals: counter(
      'origin_refusals_total',
      'MCP requests refused for their Origin or Host (DNS rebinding protection).',
    ),
    foreignSessionRefusals: counter(
      'foreign_session_refusals_total',
      "MCP requests refused because they named another user's MCP session.",
    ),
    accessDenials: counter(
      'mcp_access_denied_total',
      'MCP requests (or messages of a batch) the access rules refused, by server and rule.',
      ['server', 'rule'],
    ),
    storeDuration: new HotPathHistogram(
      `${PREFIX}store_operation_duration_seconds`,
      'Calls to the key-value store, by operation (failed calls included).',
      'operation',
      STORE_DURATION_BUCKETS_SECONDS,
    ),
    storeErrors: counter('store_errors_total', 'Calls to the key-value store that failed, by operation.', [
      'operation',
    ]),
  };
}

function supervisorMetrics(counter: CounterMaker, registers: Registry[]) {
  return {
    childRunning: new Gauge({
      name: `${PREFIX}supervisor_child_running`,
      help: 'Whether the supervised MCP server runs (1) or not (0).',
      registers,
    }),
    restarts: counter('supervisor_restarts_total', 'Restarts of the supervised MCP server after it exited.'),
  };
}

/** Known label values start at 0, so a rate() or a ratio has a series from the first scrape on. */
function startKnownSeriesAtZero(
  metrics: ReturnType<typeof signInMetrics> & ReturnType<typeof trafficMetrics>,
): void {
  for (const kind of REGISTRATION_KINDS) metrics.clientRegistrations.inc({ kind }, 0);
  for (const answer of ['accepted', 'declined'] as const) metrics.confirmationsAnswered.inc({ answer }, 0);
  for (const grantType of GRANT_TYPES) metrics.tokensIssued.inc({ grant_type: grantType }, 0);
  for (const cause of GRANT_REVOCATION_CAUSES) metrics.grantsRevoked.inc({ cause }, 0);
  for (const outcome of UPSTREAM_REFRESH_OUTCOMES) metrics.upstreamRefreshes.inc({ outcome }, 0);
  for (const limiter of RATE_LIMITERS) metrics.rateLimitRejections.inc({ limiter }, 0);
}

export type ProxyMetrics = ReturnType<typeof createProxyMetrics>;
