import { appliesTest } from './applies-test.ts';
import { ALLOWED, decisionOf, deniedBy, type Decision } from './decision.ts';
import type { Identity } from './identity.ts';
import type { SignInRule } from './rule-types.ts';

/** The proxy-wide `signIn:` rules, compiled once. */
export interface SignInPolicy {
  readonly empty: boolean;
  readonly rules: readonly SignInRule[];
  /**
   * Whether this user may sign in at all, decided on the confirmation step
   * once the IdP has said who they are. Deny overrides allow; when there is
   * any `allow: true` rule, only users one of them applies to may sign in.
   */
  decide(identity: Identity): Decision;
}

const EMPTY_SIGN_IN_POLICY: SignInPolicy = Object.freeze({ empty: true, rules: [], decide: () => ALLOWED });

export function compileSignInPolicy(rules: readonly SignInRule[]): SignInPolicy {
  if (rules.length === 0) return EMPTY_SIGN_IN_POLICY;
  const compiled = rules.map((rule) => ({ rule, applies: appliesTest(rule), decision: decisionOf(rule) }));
  const firstAllow = rules.find((rule) => rule.effect === 'allow');
  const otherwise = firstAllow === undefined ? ALLOWED : deniedBy(firstAllow, 'not-allowed');
  return Object.freeze({
    empty: false,
    rules,
    decide(identity: Identity): Decision {
      let allowedBy: Decision | undefined;
      for (const entry of compiled) {
        if (!entry.applies(identity)) continue;
        if (entry.rule.effect === 'deny') return entry.decision;
        allowedBy ??= entry.decision;
      }
      return allowedBy ?? otherwise;
    },
  });
}
