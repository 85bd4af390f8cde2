import type { VariableGroup } from '../variable.ts';
import { cell, code, defaultCell } from './render-configuration-markdown.ts';

export const README_START_MARKER = '<!-- config:start -->';
export const README_END_MARKER = '<!-- config:end -->';

/** The README's short table (variable, default, description); the full table is docs/configuration.md. */
export function renderReadmeBlock(groups: readonly VariableGroup[]): string {
  const rows = groups.flatMap((group) =>
    group.variables.map(
      (variable) => `| ${code(variable.name)} | ${defaultCell(variable)} | ${cell(variable.description)} |`,
    ),
  );
  return [
    '| Variable | Default | Description |',
    '| --- | --- | --- |',
    ...rows,
    '',
    'Examples, secrets and the differences from the Heroku proxy: [docs/configuration.md](docs/configuration.md).',
  ].join('\n');
}

/**
 * README text with the block between the markers replaced, or undefined when
 * the README has no such markers (it is then left alone).
 */
export function replaceReadmeBlock(readme: string, block: string): string | undefined {
  const start = readme.indexOf(README_START_MARKER);
  const end = readme.indexOf(README_END_MARKER);
  if (start === -1 || end === -1 || end < start) return undefined;
  return `${readme.slice(0, start + README_START_MARKER.length)}\n\n${block}\n\n${readme.slice(end)}`;
}
