import { compileCondition, type IdentityTest } from './compile-condition.ts';
import type { Condition } from './rule-types.ts';

/** Whom a rule applies to: `when` holds (or is absent) and `unless` does not (or is absent). */
export function appliesTest(rule: { readonly when?: Condition; readonly unless?: Condition }): IdentityTest {
  const when = rule.when === undefined ? undefined : compileCondition(rule.when);
  const unless = rule.unless === undefined ? undefined : compileCondition(rule.unless);
  return (identity) => (when === undefined || when(identity)) && (unless === undefined || !unless(identity));
}
