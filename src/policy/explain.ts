import { appliesTest } from './applies-test.ts';
import type { AccessPolicy } from './compile-access-policy.ts';
import { compileCondition } from './compile-condition.ts';
import type { SignInPolicy } from './compile-sign-in-policy.ts';
import type { Decision } from './decision.ts';
import { describeRule } from './describe-rule.ts';
import type { Identity } from './identity.ts';
import { ITEM_NOUNS } from './mcp-items.ts';
import { compileNameMatcher } from './name-matcher.ts';
import type { AccessRule, ItemKind, SignInRule } from './rule-types.ts';

/** Every rule of the proxy: `signIn`, and each server's `access` by server id. */
export interface PolicySet {
  readonly signIn: SignInPolicy;
  readonly servers: ReadonlyMap<string, AccessPolicy>;
}

/** What to explain beyond sign-in: a server, and optionally one tool, prompt or resource on it. */
export interface ExplainQuery {
  readonly server?: string;
  readonly item?: { readonly kind: ItemKind; readonly name: string };
}

export interface Explanation {
  /** The answer to the most specific question asked (sign-in, then server, then item); a refusal earlier wins. */
  readonly decision: Decision;
  /** A human-readable trace: the identity, each step's decision, and every rule with why it did or did not apply. */
  readonly lines: readonly string[];
}

/**
 * Explains a decision for `mcp-auth-proxy check --explain`. The verdicts come
 * from the same compiled policies as the hot path; the trace re-reads the
 * rules, which is slower and fine here.
 */
export function explain(policies: PolicySet, identity: Identity, query: ExplainQuery = {}): Explanation {
  const lines = [describeIdentity(identity)];
  let decision = policies.signIn.decide(identity);
  lines.push(`Sign-in: ${verdict(decision)}`, ...ruleLines(policies.signIn.rules, identity));
  if (query.server === undefined) return { decision, lines };
  const policy = policies.servers.get(query.server);
  if (policy === undefined) {
    lines.push(`Server ${query.server}: unknown (servers: ${[...policies.servers.keys()].join(', ')})`);
    return { decision, lines };
  }
  const access = policy.forIdentity(identity);
  const server = access.mayUseServer();
  const serverRules = policy.rules.filter((rule) => rule.target.kind === 'server');
  lines.push(`Server ${query.server}: ${verdict(server)}`, ...ruleLines(serverRules, identity));
  if (decision.allowed) decision = server;
  if (query.item === undefined) return { decision, lines };
  const { kind, name } = query.item;
  const item = access.may(kind, name);
  const itemRules = policy.rules.filter((rule) => rule.target.kind === 'items' && rule.target.patterns[kind]);
  lines.push(
    `${capitalise(ITEM_NOUNS[kind])} ${JSON.stringify(name)}: ${verdict(item)}`,
    ...ruleLines(itemRules, identity, { kind, name }),
  );
  if (decision.allowed) decision = item;
  return { decision, lines };
}

function describeIdentity(identity: Identity): string {
  const email = identity.email === undefined ? 'no email' : `email ${identity.email}`;
  const groups = identity.groups.length === 0 ? 'no groups' : `groups ${identity.groups.join(', ')}`;
  const roles = identity.roles.length === 0 ? 'no roles' : `roles ${identity.roles.join(', ')}`;
  return `User ${identity.accountId || '(no identity kept with the grant)'}: ${email}; ${groups}; ${roles}`;
}

function verdict(decision: Decision): string {
  if (decision.allowed) return decision.rule === undefined ? 'allowed' : `allowed by rule ${decision.rule}`;
  const why =
    decision.reason === 'denied' ? 'denied by rule' : 'not allowed: no allow rule applies; first allow rule';
  return `${why} ${decision.rule}`;
}

function ruleLines(
  rules: readonly (AccessRule | SignInRule)[],
  identity: Identity,
  item?: { readonly kind: ItemKind; readonly name: string },
): string[] {
  if (rules.length === 0) return ['  (no rules)'];
  return rules.map((rule) => `  - ${rule.id}: ${describeRule(rule)} -> ${outcome(rule, identity, item)}`);
}

function outcome(
  rule: AccessRule | SignInRule,
  identity: Identity,
  item: { readonly kind: ItemKind; readonly name: string } | undefined,
): string {
  if (!appliesTest(rule)(identity)) {
    if (rule.when !== undefined && !compileCondition(rule.when)(identity))
      return 'does not apply (when does not hold)';
    return 'does not apply (unless holds)';
  }
  if (item === undefined || !('target' in rule) || rule.target.kind !== 'items')
    return `applies: ${rule.effect}`;
  const named = compileNameMatcher(rule.target.patterns[item.kind] ?? [])(item.name);
  if (!named) return `applies, does not name ${JSON.stringify(item.name)}`;
  return `applies, names ${JSON.stringify(item.name)}: ${rule.effect === 'deny' ? 'denies' : 'allows'}`;
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
