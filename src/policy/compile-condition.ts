import { claimAt, claimTexts } from './claim-path.ts';
import type { Identity } from './identity.ts';
import type { ClaimTest, Condition } from './rule-types.ts';

export type IdentityTest = (identity: Identity) => boolean;

/**
 * A condition as one function of the identity. It runs once per user and
 * policy (compile-access-policy.ts remembers the outcome), never per request,
 * so clarity wins over speed here.
 */
export function compileCondition(condition: Condition): IdentityTest {
  const tests: IdentityTest[] = [];
  if (condition.groups !== undefined) tests.push(anyOf(condition.groups, (identity) => identity.groups));
  if (condition.roles !== undefined) tests.push(anyOf(condition.roles, (identity) => identity.roles));
  if (condition.email !== undefined) tests.push(oneOf(condition.email, (identity) => identity.email));
  if (condition.emailDomain !== undefined) {
    tests.push(oneOf(condition.emailDomain, (identity) => identity.emailDomain));
  }
  for (const claim of condition.claims ?? []) tests.push(compileClaimTest(claim));
  if (condition.anyOf !== undefined) {
    const alternatives = condition.anyOf.map(compileCondition);
    tests.push((identity) => alternatives.some((test) => test(identity)));
  }
  return (identity) => tests.every((test) => test(identity));
}

function anyOf(wanted: readonly string[], held: (identity: Identity) => readonly string[]): IdentityTest {
  const set = new Set(wanted);
  return (identity) => held(identity).some((value) => set.has(value));
}

function oneOf(wanted: readonly string[], held: (identity: Identity) => string | undefined): IdentityTest {
  const set = new Set(wanted);
  return (identity) => {
    const value = held(identity);
    return value !== undefined && set.has(value);
  };
}

function compileClaimTest(test: ClaimTest): IdentityTest {
  if ('present' in test) {
    return (identity) => isPresent(claimAt(identity.claims, test.name)) === test.present;
  }
  const wanted = new Set(test.in.map(String));
  return (identity) => claimTexts(claimAt(identity.claims, test.name)).some((value) => wanted.has(value));
}

/** Absent, null, an empty string or an empty list all mean "no such claim" to a person writing rules. */
function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  return !Array.isArray(value) || value.length > 0;
}
