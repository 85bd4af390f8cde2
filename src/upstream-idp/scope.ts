/**
 * Scopes requested from the IdP when none are configured: the default of
 * `IDENTITY_SCOPE` in the Heroku MCP Auth Proxy and its adapter package.
 */
export const DEFAULT_IDENTITY_SCOPES: readonly string[] = Object.freeze(['openid', 'profile', 'email']);

/**
 * Splits a scope list into its scopes. `IDENTITY_SCOPE` is accepted with
 * spaces, commas or both as separators (the Heroku proxy splits on `[, ]+`);
 * RFC 6749 §3.3 itself uses spaces. Empty entries and repeats are dropped,
 * the first occurrence's order is kept.
 *
 * @param value - A scope string, or scopes already split.
 * @returns The scopes, possibly empty.
 */
export function parseScope(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const pieces =
    typeof value === 'string' ? value.split(/[\s,]+/) : value.flatMap((item) => item.split(/[\s,]+/));
  return [...new Set(pieces.filter((scope) => scope.length > 0))];
}

/** Joins scopes the way RFC 6749 §3.3 writes them on the wire: one space between each. */
export function formatScope(scopes: readonly string[]): string {
  return scopes.join(' ');
}
