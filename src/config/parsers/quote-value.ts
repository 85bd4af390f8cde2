const MAX_QUOTED_LENGTH = 80;

/**
 * A non-secret value as it appears in a problem message: JSON-quoted so blanks
 * and control characters show, and cut short so a pasted blob stays readable.
 * Never call this with a secret variable's value.
 */
export function quoteValue(raw: string): string {
  const shown = raw.length > MAX_QUOTED_LENGTH ? `${raw.slice(0, MAX_QUOTED_LENGTH)}…` : raw;
  return JSON.stringify(shown);
}
