import type { McpServerCommon } from '../config.ts';
import type { ScopeHierarchy } from '../../oauth/scope-challenge.ts';
import { stepUpOnlyScopes, type ScopePolicy, type ScopeRule } from '../../oauth/scope-policy.ts';
import { describeJsonType, parseScopeList, quoteValue, scopeIncludes, scopeRules } from '../parsers/index.ts';
import { invalid, valid, type Parsed, type ValueParser } from '../variable.ts';
import type { EntryDefaults } from './entry-defaults.ts';
import type { Convert, Fields } from './fields.ts';
import { fieldPath, type FileReport } from './file-report.ts';

type ScopeSettings = Pick<McpServerCommon, 'scopes' | 'defaultScopes' | 'scopePolicy'>;

/** `[openid, tickets:write]`, or PROVIDER_SCOPE's form `openid tickets:write`. */
const scopeList: Convert<readonly string[]> = (value, context) => {
  if (typeof value === 'string') return parseScopeList(value, context);
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    return invalid(
      `must be a list of scopes such as [openid, offline_access, tickets:write], got ${describeJsonType(value)}`,
    );
  }
  const items: readonly string[] = value;
  const joined = items.filter((item) => /[\s,]/.test(item) || item === '');
  if (joined.length > 0) return invalid(`holds ${joined.map(quoteValue).join(', ')}, which is not one scope`);
  return parseScopeList(items.join(' '), context);
};

/**
 * The syntax of MCP_AUTH_PROXY_SCOPE_RULES / _INCLUDES, as one text or a list
 * of entries. An empty text or list means none, so that one server can drop
 * the proxy-wide rules it inherits.
 */
function entries<T>(parser: ValueParser<T>, none: T, example: string): Convert<T> {
  return (value, context): Parsed<T> => {
    const list: unknown[] = Array.isArray(value) ? value : [value];
    if (!list.every((item) => typeof item === 'string')) {
      return invalid(`must be text such as ${example}, or a list of such entries`);
    }
    const raw = list.join(';');
    return raw.replaceAll(';', '').trim() === '' ? valid(none) : parser(raw, context);
  };
}

const rulesOf = entries<readonly ScopeRule[]>(scopeRules, [], '"tools/call delete_*=files:write"');
const includesOf = entries<ScopeHierarchy>(scopeIncludes, {}, '"files:write=files:read"');

/**
 * A server's scopes and step-up policy, each defaulting to the proxy-wide
 * PROVIDER_SCOPE, MCP_AUTH_PROXY_SCOPE_RULES and _INCLUDES, checked together
 * as the environment's are: a rule for a scope the server never grants could
 * never be met. Undefined when something is wrong (reported).
 */
export function readScopeSettings(
  entry: Fields,
  defaults: EntryDefaults,
  report: FileReport,
): ScopeSettings | undefined {
  if (!['scopes', 'scopeRules', 'scopeIncludes'].some((key) => entry.has(key))) {
    return {
      scopes: defaults.scopes,
      defaultScopes: defaults.defaultScopes,
      scopePolicy: defaults.scopePolicy,
    };
  }
  const scopes = entry.has('scopes') ? entry.optional('scopes', scopeList) : defaults.scopes;
  const rules = entry.has('scopeRules') ? entry.optional('scopeRules', rulesOf) : defaults.scopePolicy.rules;
  const includes = entry.has('scopeIncludes')
    ? entry.optional('scopeIncludes', includesOf)
    : defaults.scopePolicy.includes;
  if (scopes === undefined || rules === undefined || includes === undefined) return undefined;
  const scopePolicy: ScopePolicy = { rules, includes };
  if (!policyFits(entry, scopes, scopePolicy, report)) return undefined;
  const stepUpOnly = stepUpOnlyScopes(scopePolicy, scopes);
  return { scopes, defaultScopes: scopes.filter((scope) => !stepUpOnly.has(scope)), scopePolicy };
}

/** The three checks readAuthorizationServer makes of the environment's policy, worded for one server. */
function policyFits(
  entry: Fields,
  scopes: readonly string[],
  policy: ScopePolicy,
  report: FileReport,
): boolean {
  const known = new Set(scopes);
  const unknownIn = (named: Iterable<string>) => [...new Set(named)].filter((scope) => !known.has(scope));
  const listed = entry.has('scopes') ? 'its scopes do' : 'its scopes (PROVIDER_SCOPE, the default) do';
  const inherited = (key: string, variable: string) =>
    entry.has(key) ? '' : `is not set, and its default ${variable} `;
  let fits = true;
  const problem = (key: string, message: string) => {
    fits = false;
    report.problem(fieldPath(entry.at, key), message);
  };
  const ruled = unknownIn(policy.rules.flatMap((rule) => rule.scopes));
  if (ruled.length > 0) {
    problem(
      'scopeRules',
      `${inherited('scopeRules', 'MCP_AUTH_PROXY_SCOPE_RULES')}requires ${ruled.join(', ')}, which ${listed} not list; add ${ruled.length === 1 ? 'it' : 'them'} to scopes, or give this server its own scopeRules ([] for none)`,
    );
  }
  const included = unknownIn(Object.entries(policy.includes).flatMap(([scope, more]) => [scope, ...more]));
  if (included.length > 0) {
    problem(
      'scopeIncludes',
      `${inherited('scopeIncludes', 'MCP_AUTH_PROXY_SCOPE_INCLUDES')}names ${included.join(', ')}, which ${listed} not list`,
    );
  }
  const stepUpOnly = stepUpOnlyScopes(policy, scopes);
  if (fits && scopes.every((scope) => stepUpOnly.has(scope))) {
    problem(
      'scopeRules',
      'requires every one of its scopes, which leaves nothing to grant a client that names no scope; keep at least one scope (such as openid) out of the rules',
    );
  }
  return fits;
}
