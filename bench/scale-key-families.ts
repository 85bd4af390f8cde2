/**
 * The key families of docs/storage-schema.md, so that memory and commands can
 * be charged to what they store. A key's family is its longest known prefix;
 * oidc-provider records (`<Model>:<id>`) are grouped by model.
 */
import type { ScannedKey, SeenCommand } from './scale-redis.ts';

/** The families other modules write (docs/storage-schema.md, "Keys written by other modules") and the indexes. */
const KNOWN_PREFIXES: readonly string[] = [
  'uid:',
  'userCode:',
  'grant:',
  'keys:',
  'upstream-tokens:',
  'lock:upstream-refresh:',
  'login-state:',
  'upstream-idp:pkce:',
  'ratelimit:auth:',
  'ratelimit:mcp:',
  'device-poll:',
  'step-up-pending:',
  'mcp-session:',
  'invalidation:',
];

/** `Session:*`, `grant:*`, `uid:Session:*`, … */
export function familyOf(key: string): string {
  if (key.startsWith('uid:')) return `uid:${key.split(':')[1] ?? ''}:*`;
  const known = KNOWN_PREFIXES.filter((prefix) => key.startsWith(prefix)).sort(
    (a, b) => b.length - a.length,
  )[0];
  if (known !== undefined) return `${known}*`;
  const model = /^([A-Z][A-Za-z]+):/.exec(key)?.[1];
  return model === undefined ? 'other' : `${model}:*`;
}

export interface FamilyUsage {
  readonly family: string;
  readonly keys: number;
  readonly bytes: number;
  /** The shortest and longest remaining TTL seen, in seconds (-1: no TTL). */
  readonly minTtlSeconds: number;
  readonly maxTtlSeconds: number;
}

/** Keys and bytes per family, largest first. */
export function usageByFamily(keys: readonly ScannedKey[]): FamilyUsage[] {
  const families = new Map<string, { keys: number; bytes: number; ttls: number[] }>();
  for (const key of keys) {
    const family = familyOf(key.key);
    const entry = families.get(family) ?? { keys: 0, bytes: 0, ttls: [] };
    entry.keys += 1;
    entry.bytes += key.bytes;
    entry.ttls.push(key.ttlMs < 0 ? -1 : Math.round(key.ttlMs / 1000));
    families.set(family, entry);
  }
  return [...families]
    .map(([family, { keys: count, bytes, ttls }]) => ({
      family,
      keys: count,
      bytes,
      minTtlSeconds: Math.min(...ttls),
      maxTtlSeconds: Math.max(...ttls),
    }))
    .sort((a, b) => b.bytes - a.bytes);
}

/** What changed per family between two scans (keys and bytes added; negative when removed). */
export function familyDelta(before: readonly FamilyUsage[], after: readonly FamilyUsage[]): FamilyUsage[] {
  const earlier = new Map(before.map((usage) => [usage.family, usage]));
  return after
    .map((usage) => {
      const was = earlier.get(usage.family);
      return { ...usage, keys: usage.keys - (was?.keys ?? 0), bytes: usage.bytes - (was?.bytes ?? 0) };
    })
    .filter((usage) => usage.keys !== 0 || usage.bytes !== 0);
}

/** Commands that read; every other command the proxy sends writes (the Lua scripts all write). */
const READ_COMMANDS = new Set(['get', 'smembers', 'exists', 'pttl', 'ttl', 'scan', 'ping']);

export interface CommandCount {
  /** e.g. `GET AccessToken:*`, `EVALSHA ratelimit:mcp:*` */
  readonly command: string;
  readonly kind: 'read' | 'write';
  readonly count: number;
  /** Run inside a Lua script (no round trip of its own). */
  readonly inScript: boolean;
}

/** Commands grouped by name and key family. */
export function countCommands(seen: readonly SeenCommand[]): CommandCount[] {
  const counts = new Map<string, CommandCount>();
  for (const command of seen) {
    const label = `${command.name.toUpperCase()}${command.key === undefined ? '' : ` ${familyOf(command.key)}`}`;
    const id = `${label}|${command.inScript}`;
    const was = counts.get(id);
    counts.set(id, {
      command: label,
      kind: READ_COMMANDS.has(command.name) ? 'read' : 'write',
      count: (was?.count ?? 0) + 1,
      inScript: command.inScript,
    });
  }
  return [...counts.values()].sort((a, b) => Number(a.inScript) - Number(b.inScript) || b.count - a.count);
}
