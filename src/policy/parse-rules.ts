import type {
  AccessRule,
  AccessTarget,
  Condition,
  Effect,
  ItemKind,
  Parsed,
  RulesDocument,
  SignInRule,
} from './rule-types.ts';
import { ITEM_KINDS } from './rule-types.ts';
import { parseCondition } from './parse-condition.ts';
import { isRecord, readNames, reportUnknownKeys, type Report } from './parse-values.ts';

/** Letters, digits, `.`, `_` and `-`: an id goes into log fields, error messages and the audit trail as is. */
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const RULE_FIELDS = ['id', 'allow', 'deny', 'when', 'unless', 'description'];

/**
 * Validates one server's `access:` list. Every problem is reported, each
 * prefixed with its field path under `path` (the config layer passes e.g.
 * `servers[1].access` and prefixes the file or variable itself). An absent
 * value is an empty list: no rules, everything allowed.
 */
export function parseAccessRules(value: unknown, path = 'access'): Parsed<readonly AccessRule[]> {
  return parseRuleList(value, path, (rule, effect, rulePath, report) => {
    const target = readAccessTarget(rule[effect], `${rulePath}.${effect}`, report);
    return target === undefined ? undefined : { target };
  });
}

/** Validates the proxy-wide `signIn:` list (`deny: true` / `allow: true`, with `when` / `unless`). */
export function parseSignInRules(value: unknown, path = 'signIn'): Parsed<readonly SignInRule[]> {
  return parseRuleList(value, path, (rule, effect, rulePath, report) => {
    if (rule[effect] === true) return {};
    report(
      `${rulePath}.${effect}`,
      rule[effect] === 'server' || isRecord(rule[effect])
        ? `a sign-in rule has no target; write ${effect}: true (servers, tools, prompts and resources belong in a server's access rules)`
        : `must be true (leave the rule out to switch it off)`,
    );
    return undefined;
  });
}

/**
 * `{ signIn?, access? }` in one value: what one environment variable holds in
 * single-server mode. With the default empty `path`, problems read
 * `signIn[0].id: ...`.
 */
export function parseRulesDocument(value: unknown, path = ''): Parsed<RulesDocument> {
  const at = (field: string) => (path === '' ? field : `${path}.${field}`);
  if (value !== undefined && value !== null && !isRecord(value)) {
    return {
      value: { signIn: [], access: [] },
      problems: [`${path === '' ? '(top level)' : path}: must be a mapping with signIn and/or access`],
    };
  }
  const problems: string[] = [];
  for (const key of Object.keys(value ?? {})) {
    if (key !== 'signIn' && key !== 'access')
      problems.push(`${at(key)}: unknown field; expected signIn or access`);
  }
  const signIn = parseSignInRules(value?.['signIn'], at('signIn'));
  const access = parseAccessRules(value?.['access'], at('access'));
  return {
    value: { signIn: signIn.value, access: access.value },
    problems: [...problems, ...signIn.problems, ...access.problems],
  };
}

type ReadTarget<Extra> = (
  rule: Readonly<Record<string, unknown>>,
  effect: Effect,
  path: string,
  report: Report,
) => Extra | undefined;

function parseRuleList<Extra extends object>(
  value: unknown,
  path: string,
  readTarget: ReadTarget<Extra>,
): Parsed<readonly ({ id: string; effect: Effect } & Extra)[]> {
  const problems: string[] = [];
  const report: Report = (field, message) => problems.push(`${field}: ${message}`);
  if (value === undefined || value === null) return { value: [], problems };
  if (!Array.isArray(value)) {
    report(path, 'must be a list of rules');
    return { value: [], problems };
  }
  const rules: ({ id: string; effect: Effect } & Extra)[] = [];
  const seen = new Map<string, number>();
  value.forEach((item: unknown, index) => {
    const rulePath = `${path}[${index}]`;
    const rule = parseRule(item, rulePath, report, readTarget);
    if (rule === undefined) return;
    const first = seen.get(rule.id);
    if (first !== undefined) {
      report(
        `${rulePath}.id`,
        `"${rule.id}" is already the id of ${path}[${first}]; ids name decisions, so they must be unique`,
      );
      return;
    }
    seen.set(rule.id, index);
    rules.push(rule);
  });
  return { value: rules, problems };
}

function parseRule<Extra extends object>(
  item: unknown,
  path: string,
  report: Report,
  readTarget: ReadTarget<Extra>,
): ({ id: string; effect: Effect } & Extra) | undefined {
  if (!isRecord(item)) {
    report(path, 'must be a mapping with an id and allow or deny');
    return undefined;
  }
  reportUnknownKeys(item, RULE_FIELDS, path, report, { if: 'write when', except: 'write unless' });
  const id = item['id'];
  const idValid = typeof id === 'string' && RULE_ID.test(id);
  if (!idValid)
    report(`${path}.id`, 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');
  const effects = (['allow', 'deny'] as const).filter((effect) => item[effect] !== undefined);
  if (effects.length !== 1) report(path, 'must have exactly one of allow or deny');
  const extra = effects.length === 1 ? readTarget(item, effects[0]!, path, report) : undefined;
  const when = readOptionalCondition(item['when'], `${path}.when`, report);
  const unless = readOptionalCondition(item['unless'], `${path}.unless`, report);
  const description = item['description'];
  if (description !== undefined && (typeof description !== 'string' || description.trim() === '')) {
    report(`${path}.description`, 'must be a non-empty string');
  }
  if (!idValid || extra === undefined || when === null || unless === null) return undefined;
  return {
    id,
    effect: effects[0]!,
    ...extra,
    ...(when === undefined ? {} : { when }),
    ...(unless === undefined ? {} : { unless }),
    ...(typeof description === 'string' && description.trim() !== ''
      ? { description: description.trim() }
      : {}),
  };
}

/** undefined: not given; null: given but invalid (reported). */
function readOptionalCondition(value: unknown, path: string, report: Report): Condition | undefined | null {
  if (value === undefined) return undefined;
  return parseCondition(value, path, report) ?? null;
}

function readAccessTarget(value: unknown, path: string, report: Report): AccessTarget | undefined {
  if (value === 'server') return { kind: 'server' };
  if (!isRecord(value)) {
    report(
      path,
      value === true
        ? 'write server for the whole server, or name tools, prompts or resources ("true" is for sign-in rules)'
        : 'must be server, or a mapping of tools, prompts and/or resources to name patterns',
    );
    return undefined;
  }
  reportUnknownKeys(value, ITEM_KINDS, path, report, {
    tool: 'did you mean tools?',
    prompt: 'did you mean prompts?',
    resource: 'did you mean resources?',
    resourceTemplates: 'resource patterns also match URI templates: list them under resources',
    server: 'write server as the whole value, e.g. deny: server',
  });
  const patterns: Partial<Record<ItemKind, readonly string[]>> = {};
  let valid = true;
  for (const kind of ITEM_KINDS) {
    if (value[kind] === undefined) continue;
    const names = readNames(value[kind], `${path}.${kind}`, report);
    if (names === undefined) valid = false;
    else patterns[kind] = names;
  }
  if (Object.keys(value).length === 0) {
    report(path, 'names nothing: give tools, prompts and/or resources');
    return undefined;
  }
  return valid && Object.keys(value).every((key) => (ITEM_KINDS as readonly string[]).includes(key))
    ? { kind: 'items', patterns: patterns }
    : undefined;
}
