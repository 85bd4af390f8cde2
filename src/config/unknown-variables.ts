import type { Environment } from './environment-reader.ts';

/** Prefixes only this proxy uses: an unknown name with one of them is almost surely a typo. */
const OUR_PREFIXES = ['MCP_AUTH_PROXY_', 'IDENTITY_', 'BRANDING_'];

/** Levenshtein distance (insert, delete, substitute), on one rolling row. */
function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (left[i - 1] === right[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

/** The known name closest to `name`, when close enough to be what was meant. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const limit = Math.max(3, Math.floor(name.length / 4));
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance <= limit && (best === undefined || distance < best.distance))
      best = { name: candidate, distance };
  }
  return best?.name;
}

/**
 * Warnings for variables that look like ours but are not in the registry, so a
 * typo ("IDENTITY_CLIENTID") does not pass as "unset". Values are never shown.
 */
export function unknownVariableWarnings(env: Environment, known: readonly string[]): string[] {
  const knownSet = new Set(known);
  return Object.keys(env)
    .filter((name) => env[name] !== undefined && !knownSet.has(name))
    .filter((name) => OUR_PREFIXES.some((prefix) => name.toUpperCase().startsWith(prefix)))
    .sort()
    .map((name) => {
      const suggestion = closestName(name.toUpperCase(), known);
      return `${name} is not a variable the proxy reads${suggestion === undefined ? '' : `; did you mean ${suggestion}?`}`;
    });
}
