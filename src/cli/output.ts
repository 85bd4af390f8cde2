import type { TextOutput } from './cli-io.ts';

/** `warn` is worth reading but does not fail the report. */
export type FindingStatus = 'pass' | 'warn' | 'fail';

/** One line of a `check` or `doctor` report. */
export interface Finding {
  /** What was checked, e.g. `store` or `registration: Cursor`. */
  readonly name: string;
  readonly status: FindingStatus;
  /** What was found: for a failure, what a client or the proxy would trip over. */
  readonly detail: string;
  /** What to do about it; present on every failure and on most warnings. */
  readonly fix?: string | undefined;
}

export interface Report {
  readonly title: string;
  readonly findings: readonly Finding[];
}

const MARK: Readonly<Record<FindingStatus, string>> = { pass: '✓', warn: '!', fail: '✗' };

export const pass = (name: string, detail: string): Finding => ({ name, status: 'pass', detail });
export const warn = (name: string, detail: string, fix?: string): Finding => ({
  name,
  status: 'warn',
  detail,
  fix,
});
export const fail = (name: string, detail: string, fix: string): Finding => ({
  name,
  status: 'fail',
  detail,
  fix,
});

export const reportPassed = (report: Report): boolean =>
  report.findings.every((finding) => finding.status !== 'fail');

/** The human form: one ✓/!/✗ line per finding, its fix indented under it, a closing count. */
export function renderReport(report: Report): string {
  const lines = [report.title, ''];
  for (const finding of report.findings) {
    lines.push(`${MARK[finding.status]} ${finding.name}: ${indentTail(finding.detail, 4)}`);
    if (finding.fix !== undefined) lines.push(`    fix: ${indentTail(finding.fix, 9)}`);
  }
  const failed = report.findings.filter((finding) => finding.status === 'fail').length;
  const warned = report.findings.filter((finding) => finding.status === 'warn').length;
  const total = report.findings.length;
  const warnings = warned === 0 ? '' : ` (${warned} with ${warned === 1 ? 'a warning' : 'warnings'})`;
  lines.push(
    '',
    failed === 0 ? `All ${total} checks passed${warnings}.` : `${failed} of ${total} checks failed.`,
  );
  return lines.join('\n') + '\n';
}

/** The `--json` form: stable field names, `ok` for scripts. */
export function reportJson(report: Report): string {
  return (
    JSON.stringify({ ok: reportPassed(report), title: report.title, findings: report.findings }, null, 2) +
    '\n'
  );
}

export function writeReport(out: TextOutput, report: Report, json: boolean): void {
  out.write(json ? reportJson(report) : renderReport(report));
}

function indentTail(text: string, spaces: number): string {
  return text.replaceAll('\n', '\n' + ' '.repeat(spaces));
}

/** A plain text table: a header row, then one row per record; cells never wrap. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** Epoch seconds as an ISO 8601 UTC time, or `-` when unknown. */
export function isoFromSeconds(seconds: number | undefined): string {
  return seconds === undefined ? '-' : new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}
