import { freezeIdentity, type Identity } from './identity.ts';

/** Raised when the stored shape changes incompatibly; an older record then reads as "no identity". */
const STORED_IDENTITY_VERSION = 1;

/**
 * The identity as text, to be sealed with the grant like the IdP tokens
 * (it holds personal data: email, groups, every claim).
 */
export function serializeIdentity(identity: Identity): string {
  return JSON.stringify({ v: STORED_IDENTITY_VERSION, ...identity });
}

/**
 * Reads what serializeIdentity wrote. Undefined for anything else: the
 * caller then treats the grant as having no identity (rules that need a
 * claim do not match, so `deny ... unless` still denies).
 */
export function parseStoredIdentity(text: string): Identity | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const stored = value as Record<string, unknown>;
  const { v, accountId, email, emailDomain, groups, roles, claims } = stored;
  if (v !== STORED_IDENTITY_VERSION || typeof accountId !== 'string') return undefined;
  if (!isTextList(groups) || !isTextList(roles)) return undefined;
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return undefined;
  if (email !== undefined && typeof email !== 'string') return undefined;
  if (emailDomain !== undefined && typeof emailDomain !== 'string') return undefined;
  return freezeIdentity({
    accountId,
    ...(email === undefined ? {} : { email }),
    ...(emailDomain === undefined ? {} : { emailDomain }),
    groups,
    roles,
    claims: claims as Record<string, unknown>,
  });
}

function isTextList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
