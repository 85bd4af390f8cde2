/**
 * The access rules as the configuration states them, after validation
 * (parse-rules.ts). Pure data: compile-access-policy.ts and
 * compile-sign-in-policy.ts turn them into the matchers the hot path runs.
 */

/** What an MCP server offers that a rule can name by pattern. */
export type ItemKind = 'tools' | 'prompts' | 'resources';
export const ITEM_KINDS: readonly ItemKind[] = ['tools', 'prompts', 'resources'];

/** A claim value a condition compares with; compared as text, so `42` and `"42"` are the same. */
export type ClaimScalar = string | number | boolean;

/** One test of a named claim (`claim: { name, in | equals | present }`); `equals: x` is kept as `in: [x]`. */
export type ClaimTest =
  | { readonly name: string; readonly in: readonly ClaimScalar[] }
  | { readonly name: string; readonly present: boolean };

/**
 * Who a rule applies to. Every field that is set must hold (and); inside a
 * list, any member will do (or). `anyOf` holds when one of its conditions does.
 */
export interface Condition {
  readonly groups?: readonly string[];
  readonly roles?: readonly string[];
  /** Lower-cased at parse time; the identity's email is lower-cased too. */
  readonly email?: readonly string[];
  /** Lower-cased, without a leading `@`. */
  readonly emailDomain?: readonly string[];
  readonly claims?: readonly ClaimTest[];
  readonly anyOf?: readonly Condition[];
}

/** Name patterns per kind; `*` stands for any run of characters (`/` included). */
export type ItemPatterns = Readonly<Partial<Record<ItemKind, readonly string[]>>>;

export type AccessTarget =
  { readonly kind: 'server' } | { readonly kind: 'items'; readonly patterns: ItemPatterns };

export type Effect = 'allow' | 'deny';

interface RuleCommon {
  /** Names the rule in decisions, the audit trail, the client's error and `check --explain`. */
  readonly id: string;
  readonly effect: Effect;
  /** The rule applies when this holds (absent: to everyone)... */
  readonly when?: Condition;
  /** ...and this does not. */
  readonly unless?: Condition;
  /** An operator's sentence for people: shown on the sign-in refusal page and in errors. */
  readonly description?: string;
}

/** A rule of one server's `access:` list. */
export interface AccessRule extends RuleCommon {
  readonly target: AccessTarget;
}

/** A rule of the proxy-wide `signIn:` list: its target is signing in at all. */
export type SignInRule = RuleCommon;

/** `signIn` and `access` together, as one environment variable holds them in single-server mode. */
export interface RulesDocument {
  readonly signIn: readonly SignInRule[];
  readonly access: readonly AccessRule[];
}

/** A parse result: the valid part, and every problem found, each prefixed with its field path. */
export interface Parsed<T> {
  readonly value: T;
  readonly problems: readonly string[];
}
