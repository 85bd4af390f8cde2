import type { ConfigProblem } from './config-result.ts';

/**
 * The report printed to stderr when the configuration is invalid: every
 * problem on its own line, so one read of it fixes the whole environment.
 */
export function formatProblems(problems: readonly ConfigProblem[]): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines = problems.map((problem) => `  - ${problem.message.replaceAll('\n', '\n    ')}`);
  return [
    `The configuration has ${count}:`,
    ...lines,
    'Every variable is described in docs/configuration.md.',
  ].join('\n');
}
