/**
 * Where a V8 CPU profile (`node --cpu-prof`) spent its time: the functions
 * with the most self time, the most inclusive ("total") time, and self time
 * per package (node internals, each dependency, our src/).
 *
 * Run: `node bench/summarize-profile.ts FILE.cpuprofile [--top N] [--from-us T --to-us T]`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  /** Microseconds on the monotonic clock (CLOCK_MONOTONIC, as process.hrtime). */
  readonly startTime: number;
  readonly samples: readonly number[];
  /** Microseconds since the previous sample. */
  readonly timeDeltas: readonly number[];
}

export interface ProfileEntry {
  readonly name: string;
  readonly selfMs: number;
  readonly totalMs: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Time in V8's (idle), (program) and (garbage collector) pseudo-frames. */
  readonly idleMs: number;
  readonly bySelf: readonly ProfileEntry[];
  readonly byTotal: readonly ProfileEntry[];
  readonly byPackage: readonly { readonly name: string; readonly selfMs: number }[];
}

const PSEUDO_IDLE = new Set(['(idle)']);

/** A short, stable name for a frame: function, file under src/ or node_modules/, line. */
function frameName(frame: ProfileNode['callFrame']): string {
  const file = frame.url.replace(/^file:\/\/.*?\/(src|dist|node_modules)\//, '$1/');
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  return file === '' ? name : `${name} ${file}:${frame.lineNumber + 1}`;
}

function packageOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency !== null) return dependency[1]!;
  if (/\/(src|dist)\//.test(url)) return 'our code';
  return url;
}

/** A span of the monotonic clock in microseconds (process.hrtime.bigint() / 1000n). */
export interface ProfileWindow {
  readonly fromUs: number;
  readonly toUs: number;
}

/**
 * Summarizes the samples taken within `window` (all when absent), so that a
 * process's start and login do not blur where the time of the load went.
 */
export function summarizeProfile(profile: CpuProfile, top = 25, window?: ProfileWindow): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  const selfUs = new Map<number, number>();
  let atUs = profile.startTime;
  profile.samples.forEach((id, index) => {
    const deltaUs = profile.timeDeltas[index] ?? 0;
    atUs += deltaUs;
    if (window !== undefined && (atUs < window.fromUs || atUs > window.toUs)) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + deltaUs);
  });

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const packages = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (node === undefined) continue;
    totalUs += us;
    if (PSEUDO_IDLE.has(node.callFrame.functionName)) idleUs += us;
    const name = frameName(node.callFrame);
    self.set(name, (self.get(name) ?? 0) + us);
    const pkg = packageOf(node.callFrame);
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
    // Inclusive time: once per distinct function on the stack, so recursion is not counted twice.
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
      const frame = byId.get(current);
      if (frame === undefined) break;
      const frameKey = frameName(frame.callFrame);
      if (seen.has(frameKey)) continue;
      seen.add(frameKey);
      total.set(frameKey, (total.get(frameKey) ?? 0) + us);
    }
  }
  const ranked = (map: Map<string, number>) => [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  const entry = ([name]: [string, number]): ProfileEntry => ({
    name,
    selfMs: (self.get(name) ?? 0) / 1000,
    totalMs: (total.get(name) ?? 0) / 1000,
  });
  return {
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    bySelf: ranked(self).map(entry),
    byTotal: ranked(total)
      .filter(([name]) => !name.startsWith('(root)'))
      .map(entry),
    byPackage: ranked(packages).map(([name, us]) => ({ name, selfMs: us / 1000 })),
  };
}

export function renderProfileSummary(summary: ProfileSummary): string {
  const busyMs = summary.totalMs - summary.idleMs;
  const share = (ms: number) => `${((ms / busyMs) * 100).toFixed(1)}%`;
  const lines = [
    `busy ${busyMs.toFixed(0)} ms of ${summary.totalMs.toFixed(0)} ms profiled (shares are of busy time)`,
    '',
    'self time by package:',
    ...summary.byPackage
      .filter((entry) => entry.name !== '(idle)')
      .map((entry) => `  ${share(entry.selfMs).padStart(6)}  ${entry.name}`),
    '',
    'self time by function:',
    ...summary.bySelf
      .filter((entry) => entry.name !== '(idle)')
      .map((entry) => `  ${share(entry.selfMs).padStart(6)}  ${entry.name}`),
    '',
    'total (inclusive) time by function:',
    ...summary.byTotal
      .filter((entry) => entry.name !== '(idle)')
      .map((entry) => `  ${share(entry.totalMs).padStart(6)}  ${entry.name}`),
  ];
  return lines.join('\n') + '\n';
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      top: { type: 'string', default: '25' },
      'from-us': { type: 'string' },
      'to-us': { type: 'string' },
    },
  });
  const path = positionals[0];
  if (path === undefined) throw new Error('usage: node bench/summarize-profile.ts FILE.cpuprofile [--top N]');
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const window =
    values['from-us'] === undefined || values['to-us'] === undefined
      ? undefined
      : { fromUs: Number(values['from-us']), toUs: Number(values['to-us']) };
  process.stdout.write(renderProfileSummary(summarizeProfile(profile, Number(values.top), window)));
}
