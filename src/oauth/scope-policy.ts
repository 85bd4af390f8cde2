/**
 * The step-up scope policy: which MCP operations need scopes beyond a valid
 * token (MCP_AUTH_PROXY_SCOPE_RULES), and which scopes include others
 * (MCP_AUTH_PROXY_SCOPE_INCLUDES). Pure data and matching; the proxy reads
 * the operations out of requests and scope-challenge.ts builds the 403.
 */
import type { McpOperation, RequiredScopes, ScopeHierarchy } from './scope-challenge.ts';
import { effectiveScopes } from './scope-challenge.ts';

/** One rule: an operation (a method, optionally narrowed to names) needs every one of `scopes`. */
export interface ScopeRule {
  /** JSON-RPC method, e.g. `tools/call`. */
  readonly method: string;
  /**
   * The tool or prompt name, or the resource URI, that the rule is limited
   * to; `*` stands for any run of characters. Absent: every name.
   */
  readonly name?: string | undefined;
  readonly scopes: readonly string[];
}

export interface ScopePolicy {
  readonly rules: readonly ScopeRule[];
  readonly includes: ScopeHierarchy;
}

export const EMPTY_SCOPE_POLICY: ScopePolicy = { rules: [], includes: {} };

/**
 * The methods whose requests name a tool, prompt or resource, and the param
 * that holds the name (what the 2026-07-28 `Mcp-Name` header mirrors).
 */
export const NAME_PARAM_OF_METHOD: Readonly<Record<string, string>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
};
export const NAMED_METHODS: ReadonlySet<string> = new Set(Object.keys(NAME_PARAM_OF_METHOD));

/**
 * The hook the proxy calls per operation: every rule that matches adds its
 * scopes (rules never cancel each other, so their order cannot open a hole).
 */
export function compileScopePolicy(policy: ScopePolicy): RequiredScopes {
  const byMethod = new Map<
    string,
    Array<{ matches: (name: string | undefined) => boolean; scopes: readonly string[] }>
  >();
  for (const rule of policy.rules) {
    const compiled = byMethod.get(rule.method) ?? [];
    compiled.push({ matches: nameMatcher(rule.name), scopes: rule.scopes });
    byMethod.set(rule.method, compiled);
  }
  return (operation: McpOperation) => {
    const rules = byMethod.get(operation.method);
    if (rules === undefined) return [];
    const required = new Set<string>();
    for (const rule of rules) {
      if (rule.matches(operation.name)) for (const scope of rule.scopes) required.add(scope);
    }
    return [...required];
  };
}

/**
 * The scopes only step-up grants: every scope that satisfies some rule, by
 * itself or through the scopes it includes. A client that names no scope (or
 * only unknown ones) gets the others, and the 401 challenge and the protected
 * resource metadata advertise only the others (MCP [11] §6: the minimal set
 * for basic use; more come through step-up).
 */
export function stepUpOnlyScopes(policy: ScopePolicy, known: readonly string[]): Set<string> {
  const ruled = new Set(policy.rules.flatMap((rule) => rule.scopes));
  const elevated = new Set<string>();
  for (const scope of known) {
    for (const held of effectiveScopes([scope], policy.includes)) {
      if (ruled.has(held)) elevated.add(scope);
    }
  }
  return elevated;
}

function nameMatcher(pattern: string | undefined): (name: string | undefined) => boolean {
  if (pattern === undefined || pattern === '*') return () => true;
  if (!pattern.includes('*')) return (name) => name === pattern;
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`, 's');
  return (name) => name !== undefined && regex.test(name);
}
