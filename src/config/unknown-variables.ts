import type { Environment } from './environment-reader.ts';

/** Prefixes only this proxy uses: an unknown name with one of them is almost surely a typo. */
const OUR_PREFIXES = ['MCP_AUTH_PROXY_', 'IDENTITY_', 'BRANDING_'];
/**
 * OpenTelemetry's prefix is shared with signals we do not export (metrics, logs) and
 * with SDK settings we do not take, so an OTEL_ name we do not read is warned about only
 * when it is one or two edits from one we do: `OTEL_SDK_DISABLE`, the Heroku proxy's
 * `.env-test` typo that silently left tracing on, is the case in point.
 */
const OTEL_PREFIX = 'OTEL_';
const OTEL_TYPO_DISTANCE = 2;

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
export function closestName(
  name: string,
  known: readonly string[],
  limit = Math.max(3, Math.floor(name.length / 4)),
): string | undefined {
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
  const otelNames = known.filter((name) => name.startsWith(OTEL_PREFIX));
  const warnings: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (env[name] === undefined || knownSet.has(name)) continue;
    const upper = name.toUpperCase();
    if (OUR_PREFIXES.some((prefix) => upper.startsWith(prefix))) {
      warnings.push(notReadWarning(name, closestName(upper, known)));
    } else if (upper.startsWith(OTEL_PREFIX)) {
      const typoOf = closestName(upper, otelNames, OTEL_TYPO_DISTANCE);
      if (typoOf !== undefined) warnings.push(notReadWarning(name, typoOf));
    }
  }
  return warnings;
}

const notReadWarning = (name: string, suggestion: string | undefined): string =>
  `${name} is not a variable the proxy reads${suggestion === undefined ? '' : `; did you mean ${suggestion}?`}`;
