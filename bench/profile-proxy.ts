/**
 * Profiles our proxy under load: starts it with `node --cpu-prof` in front of
 * the benchmark's MCP server, logs in, runs one workload, stops it (V8 writes
 * the profile on exit) and prints where the time went.
 *
 * Run: `node bench/profile-proxy.ts [--target ours|bare] [--payload echo]
 * [--connections 32] [--seconds 10] [--log-level info] [--tracing on|off] [--interval-us 1000]
 * [--policy] [--proxy-main PATH] [--out DIR]`; `--policy` sets access rules that touch the benchmark's
 * user (bench/policy-rules.ts), to see what the policy step costs; the
 * .cpuprofile file is kept in DIR (default bench/results/profiles/) for a
 * flame graph viewer. `--target bare` profiles the bare proxy the same way,
 * for comparison.
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureBuild } from '../test/support/ensure-build.ts';
import { startFakeIdp } from '../test/support/fake-idp.ts';
import { startReportingChild, type BenchChild } from './child-process.ts';
import { runCell } from './load-cell.ts';
import { logIn, startOurProxy } from './our-proxy.ts';
import { mcpHeaders, PAYLOAD_BODIES, PAYLOAD_NAMES, type PayloadName } from './payloads.ts';
import { writeBenchRules } from './policy-rules.ts';
import {
  renderProfileSummary,
  summarizeProfile,
  type CpuProfile,
  type ProfileWindow,
} from './summarize-profile.ts';

const WARMUP_SECONDS = 2;

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: 'ours' },
    payload: { type: 'string', default: 'echo' },
    connections: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '10' },
    'log-level': { type: 'string', default: 'info' },
    /** `on` (the default, exporting to a local OTLP sink) or `off` (OTEL_SDK_DISABLED=true). */
    tracing: { type: 'string', default: 'on' },
    'interval-us': { type: 'string', default: '1000' },
    policy: { type: 'boolean', default: false },
    'proxy-main': { type: 'string' },
    out: { type: 'string', default: fileURLToPath(new URL('./results/profiles/', import.meta.url)) },
  },
});
const payload = values.payload as PayloadName;
if (!PAYLOAD_NAMES.includes(payload)) throw new Error(`--payload is one of ${PAYLOAD_NAMES.join(', ')}`);

if (values['proxy-main'] === undefined) await ensureBuild();
await mkdir(values.out, { recursive: true });
const workDir = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-profile-'));
const idp = await startFakeIdp({ mode: 'oidc' });
const mcp = await startReportingChild('mcp-echo-server', [
  fileURLToPath(new URL('./mcp-echo-server.ts', import.meta.url)),
]);
const before = new Set(await readdir(values.out));
const mcpServerUrl = `http://127.0.0.1:${mcp.port}/mcp`;
const sink =
  values.tracing === 'off'
    ? undefined
    : await startReportingChild('otlp-sink', [fileURLToPath(new URL('./otlp-sink.ts', import.meta.url))]);
/** The measured load, on the monotonic clock the profile's timestamps use. */
let window: ProfileWindow | undefined;
try {
  const proxy = await startProfiledTarget(values.target, mcpServerUrl);
  try {
    const cell = (seconds: number) =>
      runCell(
        {
          url: proxy.url,
          body: PAYLOAD_BODIES[payload],
          headers: mcpHeaders(proxy.token),
          connections: Number(values.connections),
          durationSeconds: seconds,
        },
        { proxy: proxy.child.pid, mcp: mcp.child.pid },
      );
    await cell(WARMUP_SECONDS);
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    const result = await cell(Number(values.seconds));
    window = { fromUs, toUs: Number(process.hrtime.bigint() / 1000n) };
    process.stdout.write(
      `${payload} ×${values.connections}: ${result.requestsPerSecond.toFixed(0)} req/s, ` +
        `proxy ${result.cpuMicrosPerRequest['proxy']?.toFixed(0)} µs CPU/request, ${result.failures} failed\n`,
    );
  } finally {
    await proxy.child.stop();
  }
  const written = (await readdir(values.out)).filter(
    (name) => !before.has(name) && name.endsWith('.cpuprofile'),
  );
  for (const name of written) {
    const path = join(values.out, name);
    process.stdout.write(`\n${path}\n`);
    process.stdout.write('(samples taken during the measured load only)\n');
    process.stdout.write(
      renderProfileSummary(
        summarizeProfile(JSON.parse(await readFile(path, 'utf8')) as CpuProfile, 25, window),
      ),
    );
  }
} finally {
  await mcp.child.stop();
  await sink?.child.stop();
  await idp.close();
  await rm(workDir, { recursive: true, force: true });
}

async function startProfiledTarget(
  target: string | undefined,
  mcpServerUrl: string,
): Promise<{ child: BenchChild; url: string; token: string }> {
  if (target === 'bare') {
    const bare = await startReportingChild('bare-proxy', [
      '--cpu-prof',
      `--cpu-prof-dir=${values.out}`,
      `--cpu-prof-interval=${values['interval-us']}`,
      fileURLToPath(new URL('./bare-proxy.ts', import.meta.url)),
      '--target',
      mcpServerUrl,
    ]);
    return { child: bare.child, url: `http://127.0.0.1:${bare.port}/mcp`, token: 'not-checked' };
  }
  const proxy = await startOurProxy({
    name: 'ours',
    dir: workDir,
    idp,
    mcpServerUrl,
    logLevel: values['log-level'],
    tracing: sink === undefined ? 'off' : { otlpEndpoint: `http://127.0.0.1:${sink.port}` },
    cpuProfileDir: values.out,
    cpuProfileIntervalUs: Number(values['interval-us']),
    mainPath: values['proxy-main'],
    ...(values.policy ? { env: { MCP_AUTH_PROXY_ACCESS_RULES_FILE: await writeBenchRules(workDir) } } : {}),
  });
  return { child: proxy.child, url: proxy.mcpUrl, token: await logIn(proxy, 'bench') };
}
