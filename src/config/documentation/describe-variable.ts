import type { AnyVariable } from '../variable.ts';

/** The documented default of a variable, as plain text. */
export function defaultText(variable: AnyVariable): string {
  const fallback = variable.default;
  if (fallback.kind === 'required') return 'required';
  if (fallback.kind === 'value') return fallback.raw;
  return fallback.text ?? 'none';
}

/** How a variable compares with the Heroku MCP Auth Proxy's, as plain text. */
export function herokuText(variable: AnyVariable): string {
  const { heroku } = variable;
  if (heroku === 'same') return 'same';
  if (heroku === 'new') return 'new';
  return `changed: ${heroku.changed}`;
}

export const GENERATED_NOTICE =
  'Generated from src/config/variables/ by `npm run docs:config`; edit the registry, not this file.';
