import type { IdentityTest } from './compile-condition.ts';
import { appliesTest } from './applies-test.ts';
import { ALLOWED, decisionOf, deniedBy, type Decision, type Denied } from './decision.ts';
import { freezeIdentity, type Identity } from './identity.ts';
import { compileNameMatcher, type NameMatcher } from './name-matcher.ts';
import { ITEM_KINDS, type AccessRule, type ItemKind } from './rule-types.ts';

/** One server's rules, compiled once when the configuration is loaded. */
export interface AccessPolicy {
  /** No rules: everything is allowed, and the pipeline can leave the policy step out entirely. */
  readonly empty: boolean;
  readonly rules: readonly AccessRule[];
  /**
   * What this user may do here. Remembered per identity object (a WeakMap),
   * so a caller that keeps the grant's Identity pays the conditions once per
   * grant and policy; a new policy (a rule change) starts afresh. Without an
   * identity (a grant from before identities were kept) no condition holds:
   * `deny ... unless` denies, `deny ... when` does not.
   */
  forIdentity(identity: Identity | undefined): UserAccess;
}

/** One user's access to one server, under one policy. Its methods take well under a microsecond. */
export interface UserAccess {
  /** False when no rule touches this user here: nothing to check, no list to filter. */
  readonly restricted: boolean;
  /** Whether calls and lists of this kind need checking for this user. */
  restricts(kind: ItemKind): boolean;
  mayUseServer(): Decision;
  /** A tool or prompt by name, a resource by URI, or a resource template by URI template. */
  may(kind: ItemKind, name: string): Decision;
}

interface CompiledRule {
  readonly rule: AccessRule;
  readonly applies: IdentityTest;
  readonly matchers: Partial<Record<ItemKind, NameMatcher>>;
  /** What the rule decides when it names the thing asked about. */
  readonly decision: Decision;
}

interface KindAccess {
  readonly denies: readonly CompiledRule[];
  /** Present when allow rules make this kind an allow-list (for everyone: see DESIGN.md). */
  readonly allowList?: { readonly allows: readonly CompiledRule[]; readonly otherwise: Denied };
}

const NO_IDENTITY: Identity = freezeIdentity({ accountId: '', groups: [], roles: [], claims: {} });

const UNRESTRICTED: UserAccess = Object.freeze({
  restricted: false,
  restricts: () => false,
  mayUseServer: () => ALLOWED,
  may: () => ALLOWED,
});

const EMPTY_POLICY: AccessPolicy = Object.freeze({
  empty: true,
  rules: [],
  forIdentity: () => UNRESTRICTED,
});

export function compileAccessPolicy(rules: readonly AccessRule[]): AccessPolicy {
  if (rules.length === 0) return EMPTY_POLICY;
  const compiled = rules.map(compileRule);
  const serverAllows = compiled.filter(
    (entry) => entry.rule.effect === 'allow' && entry.rule.target.kind === 'server',
  );
  const shape: PolicyShape = {
    compiled,
    serverAllowList:
      serverAllows[0] === undefined ? undefined : deniedBy(serverAllows[0].rule, 'not-allowed'),
    kindAllowLists: allowListOwners(compiled),
  };
  const remembered = new WeakMap<Identity, UserAccess>();
  return Object.freeze({
    empty: false,
    rules,
    forIdentity(identity: Identity | undefined): UserAccess {
      const key = identity ?? NO_IDENTITY;
      let access = remembered.get(key);
      if (access === undefined) {
        access = userAccessOf(shape, key);
        remembered.set(key, access);
      }
      return access;
    },
  });
}

interface PolicyShape {
  readonly compiled: readonly CompiledRule[];
  /** The denial for users no `allow: server` rule applies to; undefined when there is no such rule. */
  readonly serverAllowList: Denied | undefined;
  readonly kindAllowLists: Partial<Record<ItemKind, Denied>>;
}

function compileRule(rule: AccessRule): CompiledRule {
  const matchers: Partial<Record<ItemKind, NameMatcher>> = {};
  if (rule.target.kind === 'items') {
    for (const kind of ITEM_KINDS) {
      const patterns = rule.target.patterns[kind];
      if (patterns !== undefined) matchers[kind] = compileNameMatcher(patterns);
    }
  }
  return {
    rule,
    applies: appliesTest(rule),
    matchers,
    decision: decisionOf(rule),
  };
}

/** Per kind, the first allow rule that names it: the allow-list is in force for that kind, and it names the refusal. */
function allowListOwners(compiled: readonly CompiledRule[]): Partial<Record<ItemKind, Denied>> {
  const owners: Partial<Record<ItemKind, Denied>> = {};
  for (const entry of compiled) {
    if (entry.rule.effect !== 'allow') continue;
    for (const kind of ITEM_KINDS) {
      if (entry.matchers[kind] !== undefined && owners[kind] === undefined) {
        owners[kind] = deniedBy(entry.rule, 'not-allowed');
      }
    }
  }
  return owners;
}

function userAccessOf(shape: PolicyShape, identity: Identity): UserAccess {
  const applicable = shape.compiled.filter((entry) => entry.applies(identity));
  const server = serverDecision(shape, applicable);
  const kinds = {} as Record<ItemKind, KindAccess>;
  for (const kind of ITEM_KINDS) {
    const naming = applicable.filter((entry) => entry.matchers[kind] !== undefined);
    const otherwise = shape.kindAllowLists[kind];
    kinds[kind] = {
      denies: naming.filter((entry) => entry.rule.effect === 'deny'),
      ...(otherwise === undefined
        ? {}
        : { allowList: { allows: naming.filter((entry) => entry.rule.effect === 'allow'), otherwise } }),
    };
  }
  const restricts = (kind: ItemKind): boolean =>
    !server.allowed || kinds[kind].denies.length > 0 || kinds[kind].allowList !== undefined;
  const restricted = ITEM_KINDS.some(restricts);
  if (!restricted && server === ALLOWED) return UNRESTRICTED;
  return Object.freeze({
    restricted,
    restricts,
    mayUseServer: () => server,
    may(kind: ItemKind, name: string): Decision {
      if (!server.allowed) return server;
      const { denies, allowList } = kinds[kind];
      for (const entry of denies) if (entry.matchers[kind]!(name)) return entry.decision;
      if (allowList === undefined) return ALLOWED;
      for (const entry of allowList.allows) if (entry.matchers[kind]!(name)) return entry.decision;
      return allowList.otherwise;
    },
  });
}

/** Deny overrides allow; `allow: server` rules make the server an allow-list of users. */
function serverDecision(shape: PolicyShape, applicable: readonly CompiledRule[]): Decision {
  const targetsServer = (entry: CompiledRule) => entry.rule.target.kind === 'server';
  const deny = applicable.find((entry) => targetsServer(entry) && entry.rule.effect === 'deny');
  if (deny !== undefined) return deny.decision;
  if (shape.serverAllowList === undefined) return ALLOWED;
  const allow = applicable.find((entry) => targetsServer(entry) && entry.rule.effect === 'allow');
  return allow === undefined ? shape.serverAllowList : allow.decision;
}
