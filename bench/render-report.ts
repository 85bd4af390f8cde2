/**
 * The benchmark's results as Markdown tables: printed to the terminal and
 * written next to the JSON, ready to paste into docs/benchmarks.md.
 */
import type { TargetName } from './bench-plan.ts';
import type { BenchResults } from './bench-results.ts';

const TARGET_ORDER: readonly TargetName[] = [
  'direct',
  'bare',
  'ours',
  'ours-warn',
  'ours-untraced',
  'ours-metrics',
  'ours-policy',
  'ours-3-servers',
];
const MIB = 1024 * 1024;

const fixed = (value: number | undefined, digits: number): string =>
  value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits);
const percent = (ratio: number | undefined): string =>
  ratio === undefined ? '–' : `${(ratio * 100).toFixed(1)}%`;
const mebibytes = (bytes: number | undefined): string =>
  bytes === undefined ? '–' : `${(bytes / MIB).toFixed(1)} MiB`;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function renderReport(results: BenchResults): string {
  const { machine, plan } = results;
  const parts: string[] = [];
  parts.push(
    `Mode \`${plan.mode}\`: ${plan.rounds} round(s) of ${plan.cellSeconds} s per cell, targets interleaved, median over rounds; ` +
      `${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, ${machine.os}, ` +
      `load average at start ${machine.loadAverageAtStart.map((load) => load.toFixed(2)).join(' ')}; ${results.startedAt}; ` +
      `proxy: \`node ${[...results.build.nodeOptions, results.build.main.replace(/^.*?([^/]+\/[^/]+)$/, '$1')].join(' ')}\`` +
      ` at commit ${results.build.commit ?? 'unknown'}; tracing ${plan.tracing}` +
      (plan.servers === 3
        ? '; `ours-3-servers`: the same proxy with three MCP servers (a servers file), the load on one.'
        : '.'),
  );

  const loadRows = results.summary.flatMap((row) =>
    TARGET_ORDER.filter((target) => row.targets[target] !== undefined).map((target) => {
      const summary = row.targets[target]!;
      return [
        row.payload,
        String(row.connections),
        target,
        fixed(summary.requestsPerSecond, 0),
        fixed(summary.meanMs, 3),
        fixed(summary.p50Ms, 2),
        fixed(summary.p99Ms, 2),
        fixed(summary.proxyCpuMicrosPerRequest, 0),
        fixed(summary.mcpServerCpuMicrosPerRequest, 0),
        String(summary.failures),
      ];
    }),
  );
  parts.push(
    table(
      [
        'payload',
        'conns',
        'target',
        'req/s',
        'mean ms',
        'p50 ms',
        'p99 ms',
        'proxy CPU µs/req',
        'MCP CPU µs/req',
        'failed',
      ],
      loadRows,
    ),
  );

  parts.push(
    table(
      [
        'payload',
        'conns',
        'ours ÷ bare',
        'ours ÷ direct',
        'bare ÷ direct',
        'ours adds (ms/req)',
        'traced ÷ untraced',
        '3 servers ÷ 1 (proxy CPU/req)',
      ],
      results.summary.map((row) => [
        row.payload,
        String(row.connections),
        percent(row.oursOverBare),
        percent(row.oursOverDirect),
        percent(
          row.targets.bare && row.targets.direct
            ? row.targets.bare.requestsPerSecond / row.targets.direct.requestsPerSecond
            : undefined,
        ),
        fixed(row.oursAddedMs, 3),
        percent(row.tracedOverUntraced),
        percent(row.threeServersOverOneCpu),
      ]),
    ),
  );

  parts.push(
    table(
      ['SSE target', 'streams', 'completed', 'notifications', 'p50 ms', 'p99 ms', 'max ms', 'proxy max RSS'],
      Object.entries(results.sse).map(([target, sse]) => [
        target,
        String(sse.streams),
        String(sse.completed),
        `${sse.notifications} / ${sse.expectedNotifications}`,
        fixed(sse.p50Ms, 2),
        fixed(sse.p99Ms, 2),
        fixed(sse.maxMs, 2),
        mebibytes(sse.maxRssBytes),
      ]),
    ),
  );

  const { memory, startup } = results;
  parts.push(
    table(
      ['our proxy', 'value'],
      [
        ['start to ready, fresh store (keys generated)', `${fixed(startup.firstStartMs, 0)} ms`],
        ['start to ready, restart', startup.restartMs.map((ms) => `${ms.toFixed(0)} ms`).join(', ') || '–'],
        ['RSS right after ready', mebibytes(memory.readyRssBytes)],
        ['RSS at idle (after login)', mebibytes(memory.idleRssBytes)],
        ['RSS max at 32 connections (echo)', mebibytes(memory.at32ConnectionsRssBytes)],
        ['RSS max with SSE streams', mebibytes(memory.sseRssBytes)],
        ['RSS peak (VmHWM)', mebibytes(memory.peakRssBytes)],
        [
          'bare proxy: RSS at idle, max at 32 connections, max with SSE streams',
          [memory.bareIdleRssBytes, memory.bareAt32ConnectionsRssBytes, memory.bareSseRssBytes]
            .map(mebibytes)
            .join(', '),
        ],
      ],
    ),
  );

  parts.push(
    table(
      ['target', 'goal', 'measured', 'met'],
      results.checks.map((check) => [check.name, check.goal, check.measured, check.met ? 'yes' : '**no**']),
    ),
  );
  return parts.join('\n\n') + '\n';
}
