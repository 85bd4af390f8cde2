import type { Effect } from './rule-types.ts';

/**
 * The answer to "may this user ...?". A denial always names the rule that
 * decided, for the audit trail and the client's error; an allowance names the
 * allow rule that let it through, when an allow-list was in force.
 */
export type Decision = Allowed | Denied;

export interface Allowed {
  readonly allowed: true;
  readonly rule?: string;
}

export interface Denied {
  readonly allowed: false;
  /** The id of the rule that decided. */
  readonly rule: string;
  /**
   * `denied`: a deny rule that applies to the user names it. `not-allowed`:
   * allow rules make an allow-list of its kind, and none that applies to the
   * user names it; `rule` is then the first of those allow rules.
   */
  readonly reason: 'denied' | 'not-allowed';
  /** The rule's description, for people. */
  readonly description?: string;
}

/** Shared, so that the common answer allocates nothing. */
export const ALLOWED: Allowed = Object.freeze({ allowed: true });

interface DecidingRule {
  readonly id: string;
  readonly effect: Effect;
  readonly description?: string;
}

/** The decision a rule makes when it decides; built once per rule at compile time. */
export function decisionOf(rule: DecidingRule): Decision {
  if (rule.effect === 'allow') return Object.freeze({ allowed: true, rule: rule.id });
  return deniedBy(rule, 'denied');
}

export function deniedBy(rule: DecidingRule, reason: Denied['reason']): Denied {
  return Object.freeze({
    allowed: false,
    rule: rule.id,
    reason,
    ...(rule.description === undefined ? {} : { description: rule.description }),
  });
}
