import type { ScopeRule } from '../../oauth/scope-policy.ts';
import { NAMED_METHODS } from '../../oauth/scope-policy.ts';
import type { ScopeHierarchy } from '../../oauth/scope-challenge.ts';
import { invalid, valid, type ValueParser } from '../variable.ts';
import { quoteValue } from './quote-value.ts';
import { isScopeToken } from './parse-scope-list.ts';

/** Rules are separated by semicolons or line breaks, so a multi-line config var reads well too. */
const RULE_SEPARATOR = /[;\n]/;
/** A JSON-RPC method as MCP names them: `tools/call`, `resources/read`, `notifications/initialized`. */
const METHOD = /^[a-z][A-Za-z0-9_]*(?:\/[A-Za-z0-9_]+)*$/;
/** Scopes the proxy always grants by its own rules: a rule cannot make them step-up scopes. */
const OIDC_ONLY_SCOPES = new Set(['openid', 'offline_access']);

interface Entry {
  readonly text: string;
  readonly left: string;
  readonly scopes: readonly string[];
}

/** Splits `left=scope scope; …` entries, collecting every malformed one. */
function splitEntries(raw: string, shape: string): { entries: Entry[]; problems: string[] } {
  const entries: Entry[] = [];
  const problems: string[] = [];
  for (const text of raw.split(RULE_SEPARATOR).map((part) => part.trim())) {
    if (text === '') continue;
    const separator = text.indexOf('=');
    if (separator === -1) {
      problems.push(`${quoteValue(text)} has no "=" (expected ${shape})`);
      continue;
    }
    const left = text.slice(0, separator).trim();
    const scopes = text
      .slice(separator + 1)
      .split(/[\s,]+/)
      .filter((scope) => scope !== '');
    if (left === '' || scopes.length === 0) {
      problems.push(`${quoteValue(text)} is incomplete (expected ${shape})`);
      continue;
    }
    const bad = scopes.filter((scope) => !isScopeToken(scope) || OIDC_ONLY_SCOPES.has(scope));
    if (bad.length > 0) {
      problems.push(
        `${quoteValue(text)} names ${bad.map(quoteValue).join(', ')}, which cannot be a step-up scope ` +
          '(openid and offline_access are not resource scopes; RFC 6749 §3.3 allows printable ASCII except " and \\)',
      );
      continue;
    }
    entries.push({ text, left, scopes: [...new Set(scopes)] });
  }
  return { entries, problems };
}

const RULE_SHAPE = '"method [name]=scope …", e.g. "tools/call delete_*=files:write"';

/**
 * MCP_AUTH_PROXY_SCOPE_RULES: `method [name]=scope …` rules separated by `;`.
 * The name (a tool or prompt name, or a resource URI) may use `*` for any run
 * of characters, and cannot hold spaces, `=` or `;` (a `*` stands in for them).
 */
export const scopeRules: ValueParser<readonly ScopeRule[]> = (raw) => {
  const { entries, problems } = splitEntries(raw, RULE_SHAPE);
  const rules: ScopeRule[] = [];
  for (const entry of entries) {
    const [method = '', name, ...rest] = entry.left.split(/\s+/);
    if (!METHOD.test(method)) {
      problems.push(
        `${quoteValue(entry.text)} starts with ${quoteValue(method)}, which is not an MCP method such as tools/call`,
      );
      continue;
    }
    if (rest.length > 0) {
      problems.push(
        `${quoteValue(entry.text)} has more than one name before "=" (a name cannot hold spaces; use *)`,
      );
      continue;
    }
    if (name !== undefined && !NAMED_METHODS.has(method)) {
      problems.push(
        `${quoteValue(entry.text)} names ${quoteValue(name)}, but only ${[...NAMED_METHODS].join(', ')} requests have a name`,
      );
      continue;
    }
    rules.push({ method, ...(name === undefined || name === '*' ? {} : { name }), scopes: entry.scopes });
  }
  if (problems.length > 0) return invalid(...problems.map((problem) => `has a rule ${problem}`));
  if (rules.length === 0) return invalid(`must hold at least one rule ${RULE_SHAPE}`);
  return valid(rules);
};

const INCLUDES_SHAPE = '"scope=included-scope …", e.g. "files:write=files:read"';

/** MCP_AUTH_PROXY_SCOPE_INCLUDES: `scope=included-scope …` pairs separated by `;`. */
export const scopeIncludes: ValueParser<ScopeHierarchy> = (raw) => {
  const { entries, problems } = splitEntries(raw, INCLUDES_SHAPE);
  const hierarchy: Record<string, string[]> = {};
  for (const entry of entries) {
    if (!isScopeToken(entry.left) || OIDC_ONLY_SCOPES.has(entry.left)) {
      problems.push(
        `${quoteValue(entry.text)} starts with ${quoteValue(entry.left)}, which is not one resource scope`,
      );
      continue;
    }
    hierarchy[entry.left] = [...new Set([...(hierarchy[entry.left] ?? []), ...entry.scopes])];
  }
  if (problems.length > 0) return invalid(...problems.map((problem) => `has an entry ${problem}`));
  if (Object.keys(hierarchy).length === 0) return invalid(`must hold at least one entry ${INCLUDES_SHAPE}`);
  return valid(hierarchy);
};
