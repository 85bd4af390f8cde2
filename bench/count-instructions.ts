/**
 * CPU per request as instructions, counted by valgrind's callgrind: unlike
 * req/s or CPU time, the count barely moves when other work shares the
 * machine, so two builds (or one server against three) compare within a few
 * percent. The proxy runs under callgrind with instrumentation off until it is
 * warm (the JIT settled), then one tool call at a time is counted.
 *
 * Run: `node bench/count-instructions.ts [--target ours|bare] [--servers 1|3] [--policy]
 * [--requests 500] [--warmup 6000] [--top 25] [--proxy-main PATH]`; needs
 * valgrind. Prints instructions per request, on the main thread (JavaScript,
 * the event loop, scavenges) and in all threads (plus V8's background
 * compilation and marking), less what the idle process executes in as much
 * time (timers), and the functions with the most instructions per request.
 * The counts include valgrind's slowness in one way: work done per unit of
 * time (the rate limiter's 100 ms sync, the log flush) is spread over fewer
 * requests than at full speed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureBuild } from '../test/support/ensure-build.ts';
import { startFakeIdp } from '../test/support/fake-idp.ts';
import { callgrindTotal, nameJitFunctions, topFunctions } from './callgrind-summary.ts';
import { startReportingChild, type BenchChild } from './child-process.ts';
import { DEFAULT_MAIN_PATH, logIn, startOurProxy, startScriptNodeOptions } from './our-proxy.ts';
import { mcpHeaders, PAYLOAD_BODIES } from './payloads.ts';
import { writeBenchRules } from './policy-rules.ts';
import { writeThreeServersFile } from './servers-file.ts';

const IDLE_MEASURE_MS = 3_000;
/**
 * Quiet time before counting: background compilation finishes, and the proxy's
 * idle memory release (after a second of quiet) happens here, not in the idle
 * sample, where it would count as a timer.
 */
const SETTLE_MS = 3_000;
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: 'ours' },
    servers: { type: 'string', default: '1' },
    // Access rules that touch the benchmark's user but allow its tool: what the policy step costs.
    policy: { type: 'boolean', default: false },
    requests: { type: 'string', default: '500' },
    warmup: { type: 'string', default: '6000' },
    top: { type: 'string', default: '25' },
    'proxy-main': { type: 'string' },
  },
});
if (values.target !== 'ours' && values.target !== 'bare') throw new Error('--target is ours or bare');
if (values.servers !== '1' && values.servers !== '3') throw new Error('--servers is 1 or 3');
const requests = Number(values.requests);
if (values['proxy-main'] === undefined) await ensureBuild();

const dir = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-instructions-'));
const outFile = join(dir, 'callgrind.out');
const launcher = [
  'valgrind',
  '--tool=callgrind',
  '--instr-atstart=no',
  '--separate-threads=yes',
  `--callgrind-out-file=${outFile}`,
];
const stops: (() => Promise<void>)[] = [];
try {
  const measured = await startMeasured();
  process.stderr.write(`warming up: ${values.warmup} requests\n`);
  const send = sequentialSender(measured.url, measured.token);
  for (let sent = 0; sent < Number(values.warmup); sent += 1) await send();
  const callgrind = (...args: string[]) =>
    execFileSync('callgrind_control', [...args, String(measured.child.pid)], { stdio: 'ignore' });
  callgrind('--instr=on');
  await send();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  callgrind('--zero');
  const idleBeforeMs = await idleSample(() => callgrind('--dump=idle-before'));
  process.stderr.write(`counting ${requests} requests\n`);
  const startedMs = performance.now();
  for (let sent = 0; sent < requests; sent += 1) await send();
  callgrind('--dump=load');
  const loadMs = performance.now() - startedMs;
  const idleAfterMs = await idleSample(() => callgrind('--dump=idle-after'));
  await report({
    idleMs: [idleBeforeMs, idleAfterMs],
    loadMs,
    perfMap: `/tmp/perf-${measured.child.pid}.map`,
  });
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
}

/** Lets the process idle for IDLE_MEASURE_MS, then dumps; resolves to the time it idled. */
async function idleSample(dump: () => void): Promise<number> {
  const startedMs = performance.now();
  await new Promise((resolve) => setTimeout(resolve, IDLE_MEASURE_MS));
  dump();
  return performance.now() - startedMs;
}

/** The process whose instructions are counted, under callgrind, and how to reach it. */
async function startMeasured(): Promise<{ child: BenchChild; url: string; token: string }> {
  const mcp = await startReportingChild('mcp-echo-server', [here('./mcp-echo-server.ts')]);
  stops.push(() => mcp.child.stop());
  const mcpServerUrl = `http://127.0.0.1:${mcp.port}/mcp`;
  const mainPath = values['proxy-main'] ?? DEFAULT_MAIN_PATH;
  // --perf-basic-prof also writes V8's log; into the temporary folder, not the working directory.
  const nodeArgs = [
    ...startScriptNodeOptions(mainPath),
    '--perf-basic-prof',
    '--no-logfile-per-isolate',
    `--logfile=${join(dir, 'v8.log')}`,
  ];
  if (values.target === 'bare') {
    const bare = await startReportingChild(
      'bare-proxy',
      [...nodeArgs, here('./bare-proxy.ts'), '--target', mcpServerUrl],
      launcher,
    );
    stops.push(() => bare.child.stop());
    return { child: bare.child, url: `http://127.0.0.1:${bare.port}/mcp`, token: 'not-checked' };
  }
  const idp = await startFakeIdp({ mode: 'oidc' });
  stops.push(() => idp.close());
  const serversFile = values.servers === '3' ? await threeServersFile(mcpServerUrl) : undefined;
  const proxy = await startOurProxy({
    name: 'ours',
    dir,
    idp,
    mcpServerUrl,
    serversFile,
    ...(values.policy ? { env: { MCP_AUTH_PROXY_ACCESS_RULES_FILE: await writeBenchRules(dir) } } : {}),
    logLevel: 'info',
    tracing: 'off',
    mainPath,
    nodeArgs,
    launcher,
  }).catch((error: unknown) => {
    if (serversFile === undefined) throw error;
    throw new Error(
      `--servers 3 needs a proxy that reads MCP_AUTH_PROXY_SERVERS_FILE (issue 13); ${String(error)}`,
      {
        cause: error,
      },
    );
  });
  stops.push(() => proxy.child.stop());
  return { child: proxy.child, url: proxy.mcpUrl, token: await logIn(proxy, 'bench') };
}

async function threeServersFile(measuredUrl: string): Promise<string> {
  const idleUrls: string[] = [];
  for (const name of ['mcp-echo-server-tickets', 'mcp-echo-server-docs']) {
    const server = await startReportingChild(name, [here('./mcp-echo-server.ts')]);
    stops.push(() => server.child.stop());
    idleUrls.push(`http://127.0.0.1:${server.port}/mcp`);
  }
  return await writeThreeServersFile(dir, measuredUrl, [idleUrls[0]!, idleUrls[1]!]);
}

/** One tool call at a time on one keep-alive connection; rejects on anything but 200. */
function sequentialSender(url: string, token: string): () => Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const headers = mcpHeaders(token);
  return () =>
    new Promise((resolve, reject) => {
      const outgoing = request(url, { method: 'POST', agent, headers }, (response) => {
        response.resume();
        response.once('end', () =>
          response.statusCode === 200 ? resolve() : reject(new Error(`answered ${response.statusCode}`)),
        );
      });
      outgoing.once('error', reject);
      outgoing.end(PAYLOAD_BODIES.echo);
    });
}

/**
 * Instructions per request, less what the process executes idle in as much
 * time: the lower of the idle rates before and after the load, since one of
 * them may hold a one-off (the idle memory release, a late compilation).
 */
async function report(timing: {
  idleMs: readonly [number, number];
  loadMs: number;
  perfMap: string;
}): Promise<void> {
  const files = (await readdir(dir)).filter((name) => name.startsWith('callgrind.out.'));
  // callgrind.out.<dump>-<thread>: dumps 1 and 3 idle, 2 the load; thread 01 is the main thread.
  const total = (dump: number, mainOnly: boolean) =>
    files
      .filter((name) => name.startsWith(`callgrind.out.${dump}-`) && (!mainOnly || name.endsWith('-01')))
      .reduce((sum, name) => sum + callgrindTotal(join(dir, name)), 0);
  const perRequest = (mainOnly: boolean) => {
    const idlePerMs = Math.min(total(1, mainOnly) / timing.idleMs[0], total(3, mainOnly) / timing.idleMs[1]);
    return (total(2, mainOnly) - idlePerMs * timing.loadMs) / requests;
  };
  const label = `${values.target}${values.target === 'ours' ? `, ${values.servers} server(s)` : ''}`;
  process.stdout.write(
    `${label}: ${Math.round(perRequest(true)).toLocaleString('en')} instructions per request on the main thread, ` +
      `${Math.round(perRequest(false)).toLocaleString('en')} in all threads ` +
      `(${requests} requests in ${(timing.loadMs / 1000).toFixed(1)} s; files in ${dir})\n`,
  );
  const named = join(dir, 'main-thread-load.named');
  nameJitFunctions(join(dir, 'callgrind.out.2-01'), timing.perfMap, named);
  const top = topFunctions(named, requests, Number(values.top));
  const lines = (title: string, costs: typeof top.self) =>
    `\n${title}\n${costs.map((cost) => `${Math.round(cost.perRequest).toString().padStart(9)}  ${cost.name}`).join('\n')}\n`;
  process.stdout.write(lines('main thread, self instructions per request:', top.self));
  process.stdout.write(lines('main thread, inclusive, our code and dependencies:', top.inclusive));
}
