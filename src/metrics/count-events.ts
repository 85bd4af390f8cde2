import type { Observe } from '../observability/index.ts';
import { errorCodeLabel, grantTypeLabel } from './label-values.ts';
import type { ProxyMetrics } from './proxy-metrics.ts';

/**
 * The metrics observer: each event (observability/events.ts) moves a counter,
 * gauge or histogram. It reads only the event's low-cardinality fields, never
 * its ids, names or request.
 */
export function countEvents(metrics: ProxyMetrics): Observe {
  return (event) => {
    switch (event.type) {
      case 'client.registered':
        return metrics.clientRegistrations.inc({ kind: event.registration });
      case 'authorization.started':
        return metrics.authorizationsStarted.inc();
      case 'confirmation.shown':
        return metrics.confirmationsShown.inc();
      case 'confirmation.accepted':
        return metrics.confirmationsAnswered.inc({ answer: 'accepted' });
      case 'confirmation.declined':
        return metrics.confirmationsAnswered.inc({ answer: 'declined' });
      case 'signin.succeeded':
        return metrics.signinsSucceeded.inc();
      case 'signin.failed':
        return metrics.signinsFailed.inc({ reason: errorCodeLabel(event.reason) });
      case 'signin.refused':
        return metrics.signinsRefused.inc({ rule: event.rule });
      case 'authorization.completed':
        return metrics.authorizationsCompleted.inc();
      case 'token.issued':
        return metrics.tokensIssued.inc({ grant_type: grantTypeLabel(event.grantType) });
      case 'token.reused_within_grace':
        return metrics.refreshReusedWithinGrace.inc();
      case 'token.revoked':
        return metrics.tokenRevocations.inc();
      case 'grant.revoked':
        return metrics.grantsRevoked.inc({ cause: event.by });
      case 'step_up.challenged':
        return metrics.stepUpChallenges.inc();
      case 'session.foreign_user':
        return metrics.foreignSessionRefusals.inc();
      case 'access.denied':
        return metrics.accessDenials.inc({ server: event.server, rule: event.rule });
      case 'origin.refused':
        return metrics.originRefusals.inc();
      case 'rate_limit.rejected':
        return metrics.rateLimitRejections.inc({ limiter: event.limiter });
      case 'mcp.request': {
        const { method } = event;
        metrics.mcpRequests.inc(method, event.status);
        metrics.mcpRequestDuration.observe(method, event.durationSeconds);
        if (event.upstreamFirstByteSeconds !== undefined) {
          metrics.mcpUpstreamFirstByte.observe(method, event.upstreamFirstByteSeconds);
        }
        return;
      }
      case 'mcp.stream_opened':
        return metrics.mcpStreamsOpen.inc();
      case 'mcp.stream_closed':
        return metrics.mcpStreamsOpen.dec();
      case 'upstream.refresh':
        return metrics.upstreamRefreshes.inc({ outcome: event.outcome });
      case 'supervisor.child': {
        const { supervisor } = metrics;
        if (supervisor === undefined) return;
        supervisor.childRunning.set(event.state === 'running' ? 1 : 0);
        if (event.restart) supervisor.restarts.inc();
        return;
      }
    }
  };
}
