import type { AnyVariable, VariableGroup } from '../variable.ts';
import { defaultText, GENERATED_NOTICE } from './describe-variable.ts';

const COMMENT_WIDTH = 100;

/** Word-wraps text into `# ` comment lines. */
function comment(text: string): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/)) {
    if (line.length > 1 && line.length + 1 + word.length > COMMENT_WIDTH) {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}

/**
 * A value as a .env file needs it for util.parseEnv: bare when it is a plain
 * word, else quoted (single quotes keep JSON's double quotes intact).
 */
export function envFileValue(value: string): string {
  if (/^[\w./:@,+-]*$/.test(value)) return value;
  return value.includes("'") ? `"${value}"` : `'${value}'`;
}

function renderVariable(variable: AnyVariable): string[] {
  const fallback = variable.default.kind === 'required' ? 'Required' : `Default: ${defaultText(variable)}`;
  return [
    ...comment(variable.description),
    `# ${fallback}${variable.secret ? ' (secret)' : ''}`,
    `# ${variable.name}=${envFileValue(variable.example)}`,
    '',
  ];
}

/** .env.example: every variable, commented out, with its description, default and an example. */
export function renderEnvExample(groups: readonly VariableGroup[]): string {
  return [
    '# MCP Auth Proxy configuration. Copy to .env and uncomment what you need;',
    '# a variable set in the real environment wins over this file. Reference: docs/configuration.md',
    ...comment(GENERATED_NOTICE),
    '',
    ...groups.flatMap((group) => [
      `# ===== ${group.title} =====`,
      '',
      ...group.variables.flatMap(renderVariable),
    ]),
  ].join('\n');
}
