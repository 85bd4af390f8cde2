/** Small readers shared by the rule parsers; each reports a problem at a field path and returns undefined. */

export type Report = (path: string, message: string) => void;

export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reports every key not in `known` (a typo must not silently widen or narrow a rule). */
export function reportUnknownKeys(
  value: Readonly<Record<string, unknown>>,
  known: readonly string[],
  path: string,
  report: Report,
  hints: Readonly<Record<string, string>> = {},
): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const hint = Object.hasOwn(hints, key) ? ` (${hints[key]})` : '';
    report(`${path}.${key}`, `unknown field${hint}; expected one of ${known.join(', ')}`);
  }
}

/**
 * A non-empty list of non-empty strings; one string is taken as a list of one,
 * because `groups: finance` is what people write in YAML.
 */
export function readNames(value: unknown, path: string, report: Report): string[] | undefined {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list)) {
    report(path, 'must be a list of strings');
    return undefined;
  }
  if (list.length === 0) {
    report(path, 'must not be empty (an empty list matches nothing)');
    return undefined;
  }
  const names: string[] = [];
  list.forEach((item: unknown, index) => {
    if (typeof item === 'string' && item.trim().length > 0) names.push(item);
    else report(`${path}[${index}]`, 'must be a non-empty string');
  });
  return names.length === list.length ? names : undefined;
}
