import type { AccessRule, IdentityClaimNames, SignInRule } from '../../policy/index.ts';

/**
 * The access rules of the whole proxy (docs/access-rules.md): who may sign in,
 * where groups, roles and email are read from, and the file they come from.
 * Each server's own rules are `McpServerCommon.access`.
 */
export interface AccessRulesConfig {
  /** `signIn:` (proxy-wide); empty: everyone the IdP signs in may go on. */
  readonly signIn: readonly SignInRule[];
  /** `identityClaims:`; empty: the defaults of src/policy/identity.ts. */
  readonly identityClaims: IdentityClaimNames;
  /** Where the rules are read from, and re-read when it changes; undefined: no file, so no rules that could change. */
  readonly file: AccessRulesFile | undefined;
}

/** A file that holds access rules: the servers file, or MCP_AUTH_PROXY_ACCESS_RULES_FILE in single-server mode. */
export interface AccessRulesFile {
  /** `servers`: rules per server under `servers[].access`; `rules`: `{signIn, access, identityClaims}` for the one server. */
  readonly kind: 'servers' | 'rules';
  /** Absolute. */
  readonly path: string;
  /** As the variable names it (problems quote it), and the directory it was resolved against. */
  readonly label: string;
  readonly cwd: string;
}

/** Every rule of the proxy at one moment: what a change of the file replaces at once. */
export interface AccessRulesSnapshot {
  readonly signIn: readonly SignInRule[];
  readonly identityClaims: IdentityClaimNames;
  /** Each server's `access:` rules by server id; a server not named has none. */
  readonly access: ReadonlyMap<string, readonly AccessRule[]>;
}
