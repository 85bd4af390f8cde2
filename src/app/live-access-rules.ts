import type { Config } from '../config/config.ts';
import { watchAccessRules, type AccessRulesSnapshot, type RulesWatch } from '../config/index.ts';
import {
  compileAccessPolicy,
  compileSignInPolicy,
  type AccessPolicy,
  type AccessRule,
  type IdentityClaimNames,
  type PolicySet,
  type SignInPolicy,
} from '../policy/index.ts';
import type { Logger } from '../shared/logger.ts';

/** Every rule of the proxy, compiled: what one change of the file replaces at once. */
export interface CompiledRules extends PolicySet {
  readonly signIn: SignInPolicy;
  readonly servers: ReadonlyMap<string, AccessPolicy>;
  readonly identityClaims: IdentityClaimNames;
  /** Any rule at all: then sign-in also reads userinfo, so that rules see every claim. */
  readonly inUse: boolean;
}

/** The access rules as they are now; a valid change of their file replaces them whole. */
export interface LiveAccessRules {
  readonly current: CompiledRules;
  /** Whether the rules can change while the proxy runs (they come from a watched file). */
  readonly changeable: boolean;
  /** Stops watching the file. */
  close(): void;
}

/** The rules as the configuration was loaded. */
export function snapshotOf(config: Config): AccessRulesSnapshot {
  return {
    signIn: config.accessRules.signIn,
    identityClaims: config.accessRules.identityClaims,
    access: new Map(config.servers.map((server) => [server.id, server.access ?? []])),
  };
}

export function compileRules(snapshot: AccessRulesSnapshot, serverIds: readonly string[]): CompiledRules {
  const servers = new Map(
    serverIds.map((id) => [id, compileAccessPolicy(snapshot.access.get(id) ?? [])] as const),
  );
  return {
    signIn: compileSignInPolicy(snapshot.signIn),
    servers,
    identityClaims: snapshot.identityClaims,
    inUse: snapshot.signIn.length > 0 || [...servers.values()].some((policy) => !policy.empty),
  };
}

/**
 * Compiles the configured rules, and when they come from a file (the servers
 * file, or MCP_AUTH_PROXY_ACCESS_RULES_FILE), reads them again whenever it
 * changes (docs/access-rules.md, "Changing the rules"). Valid rules replace the
 * old ones whole, so the next request is decided by the new ones (each policy
 * remembers its users afresh); invalid ones are logged and the old ones kept.
 * A server the file no longer names keeps its rules until a restart: dropping
 * them would open it to everyone.
 */
export async function openAccessRules(config: Config, logger: Logger): Promise<LiveAccessRules> {
  const serverIds = config.servers.map((server) => server.id);
  let applied = snapshotOf(config);
  let current = compileRules(applied, serverIds);
  const file = config.accessRules.file;
  let watch: RulesWatch | undefined;
  if (file !== undefined) {
    watch = await watchAccessRules(file, {
      onReload: (reloaded) => {
        if (!reloaded.ok) {
          logger.error(
            { event: 'access_rules.reload_failed', file: file.path, problems: reloaded.problems },
            'access_rules.reload_failed',
          );
          return;
        }
        const next = keepMissingServers(reloaded.rules, applied, serverIds, logger);
        if (sameRules(next, applied, serverIds)) return;
        applied = next;
        current = compileRules(next, serverIds);
        logger.info(
          { event: 'access_rules.reloaded', file: file.path, ...countsOf(next) },
          'access_rules.reloaded',
        );
      },
    });
  }
  return {
    get current() {
      return current;
    },
    changeable: file !== undefined,
    close: () => watch?.close(),
  };
}

function keepMissingServers(
  next: AccessRulesSnapshot,
  applied: AccessRulesSnapshot,
  serverIds: readonly string[],
  logger: Logger,
): AccessRulesSnapshot {
  const missing = serverIds.filter((id) => !next.access.has(id));
  if (missing.length === 0) return next;
  logger.warn({ event: 'access_rules.servers_missing', servers: missing }, 'access_rules.servers_missing');
  const access = new Map<string, readonly AccessRule[]>(next.access);
  for (const id of missing) access.set(id, applied.access.get(id) ?? []);
  return { ...next, access };
}

/** Rules are plain data (parse-rules.ts): equal JSON is equal rules, and an unchanged file changes nothing. */
function sameRules(a: AccessRulesSnapshot, b: AccessRulesSnapshot, serverIds: readonly string[]): boolean {
  const text = (snapshot: AccessRulesSnapshot) =>
    JSON.stringify([
      snapshot.signIn,
      snapshot.identityClaims,
      serverIds.map((id) => snapshot.access.get(id)),
    ]);
  return text(a) === text(b);
}

function countsOf(snapshot: AccessRulesSnapshot) {
  return {
    signInRules: snapshot.signIn.length,
    serverRules: Object.fromEntries([...snapshot.access].map(([id, rules]) => [id, rules.length])),
  };
}
