import {
  compileAccessPolicy,
  compileSignInPolicy,
  identityFromClaims,
  parseAccessRules,
  parseSignInRules,
  type AccessPolicy,
  type Identity,
  type SignInPolicy,
} from '../../../src/policy/index.ts';

/** Compiles rules written as in the configuration; a rule the parser refuses fails the test here. */
export function policyOf(rules: unknown): AccessPolicy {
  const { value, problems } = parseAccessRules(rules);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return compileAccessPolicy(value);
}

export function signInPolicyOf(rules: unknown): SignInPolicy {
  const { value, problems } = parseSignInRules(rules);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return compileSignInPolicy(value);
}

/** A user as an IdP would describe them: `email`, `groups`, `roles` and any other claim. */
export function user(claims: Record<string, unknown> = {}, accountId = 'user-1'): Identity {
  return identityFromClaims({ accountId, idTokenClaims: { sub: accountId, ...claims } });
}
