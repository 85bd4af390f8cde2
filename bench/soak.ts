/**
 * `npm run soak`: the full soak of a scaled-out deployment (test/support/soak/run-soak.ts):
 * three proxy instances behind HAProxy on Redis Sentinel, N MCP SDK clients
 * calling tools for minutes, the Redis primary killed, then one instance
 * SIGKILLed and started again. Prints the figures (docs/scaling.md, "Soak"),
 * writes them to bench/results/soak.{json,md} (and HAProxy's log to soak-haproxy.log), and exits 1
 * when a target is missed.
 *
 *   npm run soak -- --clients 200 --duration-s 240 --think-ms 500
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureBuild } from '../test/support/ensure-build.ts';
import {
  loadBalancedDeploymentOrSkip,
  startLoadBalancedDeployment,
} from '../test/support/load-balanced-deployment.ts';
import { renderSoakReport } from '../test/support/soak/render-soak-report.ts';
import { runSoak, type SoakReport } from '../test/support/soak/run-soak.ts';
import { readCpuMs, readMemory } from './proc-stats.ts';

const DEFAULT_OUT = fileURLToPath(new URL('./results/soak.json', import.meta.url));
const RECOVERY_AFTER_ELECTION_MS = 5_000;

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '200' },
    'duration-s': { type: 'string', default: '240' },
    'think-ms': { type: 'string', default: '500' },
    'sign-in-concurrency': { type: 'string', default: '20' },
    'kill-primary-at-s': { type: 'string', default: '60' },
    'kill-instance-at-s': { type: 'string', default: '150' },
    'restart-after-s': { type: 'string', default: '10' },
    'access-token-ttl-s': { type: 'string', default: '60' },
    out: { type: 'string', default: DEFAULT_OUT },
  },
});
const number = (name: keyof typeof values): number => {
  const parsed = Number(values[name]);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} must be a number`);
  return parsed;
};
const startedMs = performance.now();
const log = (line: string) =>
  process.stderr.write(`[soak ${((performance.now() - startedMs) / 1000).toFixed(1)}s] ${line}\n`);

if (!loadBalancedDeploymentOrSkip(undefined, 'the soak')) process.exit(1);
log(
  `load average before: ${loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')} on ${cpus().length} cores`,
);
await ensureBuild();
const deployment = await startLoadBalancedDeployment({
  MCP_AUTH_PROXY_ACCESS_TOKEN_TTL_SECONDS: String(number('access-token-ttl-s')),
  MAX_REQUESTS: '1000000',
  MCP_AUTH_PROXY_MCP_MAX_REQUESTS: '1000000',
});
let report: SoakReport;
let resources: string[];
try {
  report = await runSoak(
    deployment,
    {
      clients: number('clients'),
      durationMs: number('duration-s') * 1000,
      thinkMs: number('think-ms'),
      signInConcurrency: number('sign-in-concurrency'),
      killPrimaryAtMs: number('kill-primary-at-s') * 1000,
      killInstanceAtMs: number('kill-instance-at-s') * 1000,
      restartInstanceAfterMs: number('restart-after-s') * 1000,
    },
    log,
  );
  resources = deployment.instances.flatMap((instance) => {
    const pid = instance.process?.child.pid;
    if (pid === undefined) return [];
    const lifetimeMs = processAgeMs(pid);
    const cpuMs = readCpuMs(pid);
    const memory = readMemory(pid);
    return [
      `${instance.name}${instance.runs.length > 1 ? ' (restarted)' : ''}: ${(cpuMs / 1000).toFixed(1)} s CPU ` +
        `(${((100 * cpuMs) / lifetimeMs).toFixed(0)}% of one core over the run), ` +
        `RSS ${(memory.rssBytes / 2 ** 20).toFixed(0)} MiB, peak ${(memory.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
    ];
  });
  const haproxyCpuMs = readCpuMs(deployment.haproxy.pid);
  resources.push(
    `haproxy: ${(haproxyCpuMs / 1000).toFixed(1)} s CPU, RSS ${(readMemory(deployment.haproxy.pid).rssBytes / 2 ** 20).toFixed(0)} MiB`,
  );
  // HAProxy's request log (status and termination state of every request), for a closer look.
  await mkdir(dirname(values.out), { recursive: true });
  await writeFile(values.out.replace(/\.json$/, '') + '-haproxy.log', deployment.haproxy.output());
} finally {
  await deployment.stop();
}

const missed = [
  report.wire.outliers.length > 0 ? 'statuses outside 2xx/401/429/502/503' : undefined,
  report.wire.unavailableWithRetryAfter !== report.wire.unavailable ? 'a 503 without Retry-After' : undefined,
  report.lostGrants > 0 ? 'lost grants' : undefined,
  report.relogins > 0 ? 're-logins' : undefined,
  report.workingAtEnd !== report.signedIn ? 'clients not working at the end' : undefined,
  report.failover !== undefined &&
  (report.failover.clientsNotRecovered > 0 || report.failover.maxRecoveryMs > RECOVERY_AFTER_ELECTION_MS)
    ? 'recovery within 5 s of the new primary'
    : undefined,
].filter((target) => target !== undefined);

const markdown = [
  renderSoakReport(report),
  `- Per process at the end of the run: ${resources.join('; ')}.`,
  `- Load average after: ${loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')} on ${cpus().length} cores.`,
  `- Targets: ${missed.length === 0 ? 'all met' : `MISSED: ${missed.join(', ')}`}.`,
].join('\n');
await mkdir(dirname(values.out), { recursive: true });
await writeFile(
  values.out,
  JSON.stringify(
    { ...report, resources, missed },
    (_key, value: unknown): unknown =>
      value instanceof Map ? (Object.fromEntries(value) as unknown) : value,
    2,
  ) + '\n',
);
await writeFile(values.out.replace(/\.json$/, '') + '.md', markdown + '\n');
process.stdout.write(`${markdown}\n`);
log(`wrote ${values.out}`);
process.exit(missed.length === 0 ? 0 : 1);

/** How long the process has run (ps `etimes`, in seconds). */
function processAgeMs(pid: number): number {
  return Number(execFileSync('ps', ['-o', 'etimes=', '-p', String(pid)], { encoding: 'utf8' }).trim()) * 1000;
}
