import { parseEnv } from 'node:util';
import { envFileValue } from '../config/index.ts';

export interface EnvFileSection {
  /** Comment lines above the section, without the leading `# `. */
  readonly comment: readonly string[];
  readonly variables: ReadonlyArray<readonly [name: string, value: string]>;
}

/**
 * A .env file of the given sections, in the quoting util.parseEnv reads. The
 * text is parsed back and compared value by value, so a value that the format
 * cannot hold (a newline, both kinds of quote) is refused here instead of
 * being read back differently by the proxy.
 */
export function renderEnvFile(header: readonly string[], sections: readonly EnvFileSection[]): string {
  const lines = header.map((line) => `# ${line}`);
  for (const section of sections) {
    lines.push('', ...section.comment.map((line) => `# ${line}`));
    for (const [name, value] of section.variables) lines.push(`${name}=${envFileValue(value)}`);
  }
  const text = lines.join('\n') + '\n';
  const parsed = parseEnv(text);
  for (const section of sections) {
    for (const [name, value] of section.variables) {
      if (parsed[name] !== value) throw new Error(`${name} holds a value a .env file cannot represent`);
    }
  }
  return text;
}
