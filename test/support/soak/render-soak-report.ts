import type { SoakReport } from './run-soak.ts';

const list = (map: ReadonlyMap<string | number, number>): string =>
  map.size === 0 ? 'none' : [...map].map(([key, count]) => `${key}: ${count}`).join(', ');

/** The soak's figures as Markdown lines (docs/scaling.md, "Soak"). */
export function renderSoakReport(report: SoakReport): string {
  const { plan, wire, failover, instanceKill, hops } = report;
  const seconds = plan.durationMs / 1000;
  const lines = [
    `- Clients: ${report.signedIn} MCP SDK clients, signed in through HAProxy in ${report.signInMs} ms ` +
      `(${plan.signInConcurrency} at a time); then ${seconds} s of tool calls (${plan.thinkMs} ms pause after each success).`,
    `- Tool calls: ${report.callsOk} succeeded, ${report.callsFailed} failed ` +
      `(${(report.callsOk / seconds).toFixed(0)} successful calls/s); failures by kind: ${list(report.failures)}.`,
    `- HTTP statuses seen by the clients through HAProxy: ${list(wire.statuses)}.`,
    `- Outside 2xx/401/429/502/503: ${wire.outliers.length === 0 ? 'none' : wire.outliers.slice(0, 10).join('; ')}.`,
    `- 503 answers: ${wire.unavailable}, with Retry-After: ${wire.unavailableWithRetryAfter}.`,
    `- Requests without any answer: ${wire.noAnswer} (${list(wire.noAnswerCauses)}), ${report.noAnswerElsewhere} of them ` +
      `outside the failover and the instance kill; streams resumed with Last-Event-ID: ${wire.resumptions}.`,
  ];
  if (failover !== undefined) {
    lines.push(
      `- Redis primary killed: sentinels elected the replica after ${failover.electionMs} ms; ` +
        `503s seen during ${failover.unavailableWindowMs} ms; ${failover.clientsThatFailed} clients had a failed call meanwhile.`,
      `- Recovery after the election (per client, to its first successful call started after it): max ${failover.maxRecoveryMs} ms ` +
        `(max ${failover.maxRecoveryOfFailedMs} ms among the clients that had failed); not recovered: ${failover.clientsNotRecovered}.`,
    );
  }
  if (instanceKill !== undefined) {
    const back =
      instanceKill.downMs === undefined
        ? 'not started again'
        : `started again and back in HAProxy's rotation ${instanceKill.downMs} ms after the kill`;
    lines.push(
      `- ${instanceKill.instance} SIGKILLed, ${back}; failed calls from the kill until 5 s after it was back: ` +
        `${list(instanceKill.failures)}.`,
    );
  }
  lines.push(
    `- Lost grants (invalid_grant, or a final refresh that failed): ${report.lostGrants}; re-logins: ${report.relogins}; ` +
      `clients working at the end (refresh + call): ${report.workingAtEnd} of ${report.signedIn}.`,
    `- Errors in the instances' logs (level error, or status 500): ${list(report.errorsLogged)}.`,
    `- Sign-ins traced in the instances' logs: ${hops.traced}; served by 2 or more instances: ${hops.acrossTwoOrMore}; ` +
      `/authorize, IdP callback and /token on three different instances: ${hops.acrossThree}.`,
  );
  return lines.join('\n');
}
