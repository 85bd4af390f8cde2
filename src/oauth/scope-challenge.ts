/**
 * Step-up authorization at the MCP endpoint: the `insufficient_scope`
 * challenge (RFC 6750 §3.1; MCP authorization 2025-11-25 §10.1.1, 2026-07-28
 * §11.1.1–§11.1.2). Pure: it decides and builds, the proxy writes.
 * `RequiredScopes` comes from MCP_AUTH_PROXY_SCOPE_RULES (scope-policy.ts);
 * the proxy asks it after the bearer check (proxy/scope-check.ts).
 */
import { buildBearerChallenge } from './www-authenticate.ts';

/** What an MCP request is, as the 2026-07-28 `Mcp-Method` / `Mcp-Name` headers (or the body) say. */
export interface McpOperation {
  /** JSON-RPC method, e.g. `tools/call`. */
  readonly method: string;
  /** The tool, resource or prompt name, for the methods that have one. */
  readonly name?: string | undefined;
}

/** The hook: the scopes an operation needs (empty: none beyond a valid token). */
export type RequiredScopes = (operation: McpOperation) => readonly string[];

/**
 * Scopes that include others (MCP 2026-07-28 §11.1.2: challenges MUST account
 * for scope hierarchies). Maps a scope to the scopes it also grants, e.g.
 * `{ 'files:write': ['files:read'] }`.
 */
export type ScopeHierarchy = Readonly<Record<string, readonly string[]>>;

/** The scopes a token holds once the hierarchy is applied. */
export function effectiveScopes(granted: readonly string[], hierarchy: ScopeHierarchy = {}): Set<string> {
  const held = new Set<string>();
  const pending = [...granted];
  for (let scope = pending.pop(); scope !== undefined; scope = pending.pop()) {
    if (held.has(scope)) continue;
    held.add(scope);
    pending.push(...(hierarchy[scope] ?? []));
  }
  return held;
}

/** The required scopes the token does not hold, in the order they were required. */
export function missingScopes(
  required: readonly string[],
  granted: readonly string[],
  hierarchy: ScopeHierarchy = {},
): string[] {
  const held = effectiveScopes(granted, hierarchy);
  return [...new Set(required)].filter((scope) => !held.has(scope));
}

export interface ScopeChallenge {
  readonly status: 403;
  /** Every scope the challenge names (its `scope` parameter). */
  readonly scopes: readonly string[];
  readonly wwwAuthenticate: string;
  readonly body: { readonly error: 'insufficient_scope'; readonly error_description: string };
}

export interface ScopeChallengeInput {
  readonly operation: McpOperation;
  readonly required: readonly string[];
  readonly granted: readonly string[];
  /** Absolute PRM URL (RFC 9728 §5.1), as in the 401 challenge. */
  readonly resourceMetadataUrl: string;
  readonly hierarchy?: ScopeHierarchy;
}

/**
 * The 403 for an operation the token's scopes do not cover, or undefined when
 * they do. One challenge names every scope needed (2026-07-28 §11.1.2), plus
 * the scopes already granted: 2025-11-25 §10.1.1 recommends it because
 * clients of that revision replace their scope with the challenged one, and
 * clients of 2026-07-28 take the union anyway (SEP-2350). `offline_access` is
 * never challenged (2026-07-28 §10: an AS matter).
 */
export function scopeChallengeFor(input: ScopeChallengeInput): ScopeChallenge | undefined {
  const missing = missingScopes(input.required, input.granted, input.hierarchy);
  if (missing.length === 0) return undefined;
  const scopes = [...new Set([...input.granted, ...input.required])].filter(
    (name) => name !== 'offline_access',
  );
  const target =
    input.operation.name === undefined
      ? input.operation.method
      : `${input.operation.method} ${input.operation.name}`;
  const description = `${target} needs the scope ${missing.join(' ')}; authorize again with it.`;
  return {
    status: 403,
    scopes,
    wwwAuthenticate: buildBearerChallenge({
      resourceMetadata: input.resourceMetadataUrl,
      error: 'insufficient_scope',
      errorDescription: description,
      scope: scopes.join(' '),
    }),
    body: { error: 'insufficient_scope', error_description: description },
  };
}
