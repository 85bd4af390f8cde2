/** Tests a tool or prompt name, or a resource URI or URI template, against one rule's patterns. */
export type NameMatcher = (name: string) => boolean;

/**
 * Compiles patterns where `*` stands for any run of characters (as in
 * MCP_AUTH_PROXY_SCOPE_RULES) and everything else is literal and
 * case-sensitive, like MCP names. The common shapes skip the regex engine:
 * exact names are one Set lookup, `prefix*` and `*suffix` a startsWith or
 * endsWith; only the rest share one anchored regex.
 */
export function compileNameMatcher(patterns: readonly string[]): NameMatcher {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const suffixes: string[] = [];
  const complex: string[] = [];
  for (const pattern of patterns) {
    const stars = countStars(pattern);
    if (stars === pattern.length) return () => true;
    if (stars === 0) exact.add(pattern);
    else if (stars === 1 && pattern.endsWith('*')) prefixes.push(pattern.slice(0, -1));
    else if (stars === 1 && pattern.startsWith('*')) suffixes.push(pattern.slice(1));
    else complex.push(pattern);
  }
  const regex =
    complex.length === 0 ? undefined : new RegExp(`^(?:${complex.map(globSource).join('|')})$`, 's');
  return (name) => {
    if (exact.has(name)) return true;
    for (const prefix of prefixes) if (name.startsWith(prefix)) return true;
    for (const suffix of suffixes) if (name.endsWith(suffix)) return true;
    return regex !== undefined && regex.test(name);
  };
}

function countStars(pattern: string): number {
  let count = 0;
  for (const character of pattern) if (character === '*') count += 1;
  return count;
}

function globSource(pattern: string): string {
  return pattern
    .split(/\*+/)
    .map((part) => part.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&'))
    .join('.*');
}
