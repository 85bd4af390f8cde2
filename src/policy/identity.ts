import { claimAt, claimTexts } from './claim-path.ts';

/**
 * Who the user is, as the rules see it: built once at sign-in (and again when
 * the IdP tokens are refreshed) from the id_token's claims and userinfo, then
 * kept with the grant (stored-identity.ts). Frozen, because a compiled policy
 * remembers its per-user answer by this object (compile-access-policy.ts).
 */
export interface Identity {
  /** The grant's account id (the user id rule of src/upstream-idp). */
  readonly accountId: string;
  /** Lower-cased; absent when the IdP sent none, or said it is not verified. */
  readonly email?: string;
  /** The part after the last `@` of `email`, lower-cased. */
  readonly emailDomain?: string;
  readonly groups: readonly string[];
  readonly roles: readonly string[];
  /** Every claim, for `claim:` conditions (userinfo over id_token; protocol claims such as exp and nonce left out). */
  readonly claims: Readonly<Record<string, unknown>>;
}

/** Where an IdP puts groups, roles and email; each name may be a dotted path (claim-path.ts). */
export interface IdentityClaimNames {
  /** Read and joined, in order. Default: `groups` (Okta, Entra, Keycloak's group mapper), `cognito:groups`. */
  readonly groups?: readonly string[];
  /** Default: `roles` (Entra app roles, Okta/Auth0 custom claims), `realm_access.roles` (Keycloak). */
  readonly roles?: readonly string[];
  /** Default `email`. Entra without the optional email claim: `upn` or `preferred_username`. */
  readonly email?: string;
  /**
   * Default false: an email with `email_verified: false` is left out, so that
   * an account whose address nobody checked cannot pass an `emailDomain` rule.
   * An IdP that sends no `email_verified` at all (Entra, GitHub) is trusted.
   */
  readonly trustUnverifiedEmail?: boolean;
}

export const DEFAULT_GROUP_CLAIMS: readonly string[] = ['groups', 'cognito:groups'];
export const DEFAULT_ROLE_CLAIMS: readonly string[] = ['roles', 'realm_access.roles'];

/** Claims about the token, not the user: they change at each sign-in and only bloat the stored identity. */
const PROTOCOL_CLAIMS = new Set([
  'exp',
  'iat',
  'nbf',
  'auth_time',
  'nonce',
  'at_hash',
  'c_hash',
  's_hash',
  'jti',
  'sid',
  'uti',
  'rh',
  'aio',
]);

export interface IdentitySources {
  readonly accountId: string;
  /** The validated id_token's claims, when the IdP sent one. */
  readonly idTokenClaims?: Readonly<Record<string, unknown>> | undefined;
  /** The userinfo response (or another profile document, such as GitHub's /user). */
  readonly userinfo?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Builds the identity. Userinfo is used only when its `sub` is absent or the
 * id_token's (OIDC Core §5.3.2: a userinfo response for another subject must
 * not be used), and its claims win over the id_token's, because IdPs such as
 * Okta put groups only there.
 */
export function identityFromClaims(sources: IdentitySources, names: IdentityClaimNames = {}): Identity {
  const idToken = sources.idTokenClaims ?? {};
  const userinfo = sources.userinfo ?? {};
  const sameSubject =
    userinfo['sub'] === undefined || idToken['sub'] === undefined || userinfo['sub'] === idToken['sub'];
  const claims: Record<string, unknown> = {};
  for (const source of sameSubject ? [idToken, userinfo] : [idToken]) {
    for (const [name, value] of Object.entries(source)) {
      // `__proto__` as a key would replace the object's prototype rather than add a claim.
      if (!PROTOCOL_CLAIMS.has(name) && name !== '__proto__' && value !== undefined) claims[name] = value;
    }
  }
  const email = emailOf(claims, names);
  return freezeIdentity({
    accountId: sources.accountId,
    ...(email === undefined ? {} : { email, emailDomain: email.slice(email.lastIndexOf('@') + 1) }),
    groups: textsOf(claims, names.groups ?? DEFAULT_GROUP_CLAIMS),
    roles: textsOf(claims, names.roles ?? DEFAULT_ROLE_CLAIMS),
    claims,
  });
}

export function freezeIdentity(identity: Identity): Identity {
  Object.freeze(identity.groups);
  Object.freeze(identity.roles);
  Object.freeze(identity.claims);
  return Object.freeze(identity);
}

function emailOf(claims: Readonly<Record<string, unknown>>, names: IdentityClaimNames): string | undefined {
  const value = claimAt(claims, names.email ?? 'email');
  if (typeof value !== 'string') return undefined;
  const email = value.trim().toLowerCase();
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1 || /\s/.test(email)) return undefined;
  const verified = claims['email_verified'];
  // Some IdPs (AWS Cognito, older Keycloak mappers) send the flag as a string.
  if ((verified === false || verified === 'false') && names.trustUnverifiedEmail !== true) return undefined;
  return email;
}

function textsOf(claims: Readonly<Record<string, unknown>>, names: readonly string[]): string[] {
  const texts = new Set<string>();
  for (const name of names) for (const text of claimTexts(claimAt(claims, name), true)) texts.add(text);
  return [...texts];
}
