import {
  parseAccessRules,
  parseSignInRules,
  type AccessRule,
  type IdentityClaimNames,
  type Parsed as PolicyParsed,
  type SignInRule,
} from '../../policy/index.ts';
import { describeJsonType, parseBoolean, parseText } from '../parsers/index.ts';
import type { ParseContext } from '../variable.ts';
import { invalid, valid } from '../variable.ts';
import { readFields, scalar, text, type Convert } from '../servers-file/fields.ts';
import { trackProblems, type FileReport } from '../servers-file/file-report.ts';

const IDENTITY_CLAIM_FIELDS = ['groups', 'roles', 'email', 'trustUnverifiedEmail'];

/** One claim name or a list of them; each may be a dotted path (`realm_access.roles`). */
const claimNames: Convert<readonly string[]> = (value) => {
  const items: unknown[] = Array.isArray(value) ? value : [value];
  if (items.every((item) => typeof item === 'string' && item.trim() !== '')) {
    return valid(items.map((item) => (item as string).trim()));
  }
  return invalid(
    `must be a claim name or a list of claim names such as [groups, 'https://example.com/groups'], got ${describeJsonType(value)}`,
  );
};

/** The policy's problems already carry their field path (`servers[1].access[0].id: ...`). */
function reported<T>(parsed: PolicyParsed<T>, report: FileReport): T | undefined {
  for (const problem of parsed.problems) report.problem('', problem);
  return parsed.problems.length === 0 ? parsed.value : undefined;
}

/** A server's `access:` list at `path` (e.g. `servers[1].access`); undefined after reporting its problems. */
export function readAccessRules(
  value: unknown,
  path: string,
  report: FileReport,
): readonly AccessRule[] | undefined {
  return reported(parseAccessRules(value, path), report);
}

/** The proxy-wide `signIn:` list; undefined after reporting its problems. */
export function readSignInRules(
  value: unknown,
  path: string,
  report: FileReport,
): readonly SignInRule[] | undefined {
  return reported(parseSignInRules(value, path), report);
}

/**
 * `identityClaims: { groups, roles, email, trustUnverifiedEmail }`: where this
 * IdP puts what the rules test. Absent: the defaults (DEFAULT_GROUP_CLAIMS,
 * DEFAULT_ROLE_CLAIMS, `email`). Undefined after reporting a problem.
 */
export function readIdentityClaims(
  value: unknown,
  path: string,
  context: ParseContext,
  report: FileReport,
): IdentityClaimNames | undefined {
  if (value === undefined || value === null) return {};
  const tracked = trackProblems(report);
  const fields = readFields(value, path, IDENTITY_CLAIM_FIELDS, context, tracked);
  if (fields === undefined) return undefined;
  const groups = fields.optional('groups', claimNames);
  const roles = fields.optional('roles', claimNames);
  const email = fields.optional('email', text(parseText));
  const trustUnverifiedEmail = fields.optional('trustUnverifiedEmail', scalar(parseBoolean));
  if (tracked.failed) return undefined;
  return {
    ...(groups === undefined ? {} : { groups }),
    ...(roles === undefined ? {} : { roles }),
    ...(email === undefined ? {} : { email }),
    ...(trustUnverifiedEmail === undefined ? {} : { trustUnverifiedEmail }),
  };
}

/** What a rules file (MCP_AUTH_PROXY_ACCESS_RULES_FILE) holds for the one server. */
export interface RulesDocument {
  readonly signIn: readonly SignInRule[];
  readonly access: readonly AccessRule[];
  readonly identityClaims: IdentityClaimNames;
}

/**
 * `{ signIn, access, identityClaims }`, each optional; an empty file is no
 * rules. Every problem is reported, each at its field path; undefined then.
 */
export function readRulesDocument(
  content: unknown,
  context: ParseContext,
  report: FileReport,
): RulesDocument | undefined {
  if (content === null || content === undefined) return { signIn: [], access: [], identityClaims: {} };
  const tracked = trackProblems(report);
  const root = readFields(content, '', ['signIn', 'access', 'identityClaims'], context, tracked);
  if (root === undefined) return undefined;
  const signIn = readSignInRules(root.value('signIn'), 'signIn', tracked);
  const access = readAccessRules(root.value('access'), 'access', tracked);
  const identityClaims = readIdentityClaims(root.value('identityClaims'), 'identityClaims', context, tracked);
  if (tracked.failed || signIn === undefined || access === undefined || identityClaims === undefined)
    return undefined;
  return { signIn, access, identityClaims };
}
