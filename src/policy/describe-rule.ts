import type { AccessRule, AccessTarget, ClaimTest, Condition, SignInRule } from './rule-types.ts';
import { ITEM_KINDS } from './rule-types.ts';

/** One line per rule, in the words of the configuration: `deny tools [payments_*] unless groups in [finance]`. */
export function describeRule(rule: AccessRule | SignInRule): string {
  const target = 'target' in rule ? describeTarget(rule.target) : 'sign-in';
  const when = rule.when === undefined ? '' : ` when ${describeCondition(rule.when)}`;
  const unless = rule.unless === undefined ? '' : ` unless ${describeCondition(rule.unless)}`;
  return `${rule.effect} ${target}${when}${unless}`;
}

export function describeTarget(target: AccessTarget): string {
  if (target.kind === 'server') return 'server';
  return ITEM_KINDS.filter((kind) => target.patterns[kind] !== undefined)
    .map((kind) => `${kind} ${list(target.patterns[kind]!)}`)
    .join(', ');
}

export function describeCondition(condition: Condition): string {
  const parts: string[] = [];
  if (condition.groups !== undefined) parts.push(`groups in ${list(condition.groups)}`);
  if (condition.roles !== undefined) parts.push(`roles in ${list(condition.roles)}`);
  if (condition.email !== undefined) parts.push(`email in ${list(condition.email)}`);
  if (condition.emailDomain !== undefined) parts.push(`emailDomain in ${list(condition.emailDomain)}`);
  for (const claim of condition.claims ?? []) parts.push(describeClaim(claim));
  if (condition.anyOf !== undefined) {
    parts.push(`any of (${condition.anyOf.map(describeCondition).join(' | ')})`);
  }
  return parts.join(' and ');
}

function describeClaim(test: ClaimTest): string {
  if ('present' in test) return `claim ${test.name} ${test.present ? 'present' : 'absent'}`;
  return `claim ${test.name} in ${list(test.in.map(String))}`;
}

function list(values: readonly string[]): string {
  return `[${values.join(', ')}]`;
}
