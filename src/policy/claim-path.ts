/**
 * A claim by name: the claim of exactly that name first (Auth0's namespaced
 * claims such as `https://example.com/roles` hold dots), otherwise the dotted
 * path through nested objects (Keycloak's `realm_access.roles`).
 */
export function claimAt(claims: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  if (!name.includes('.')) return undefined;
  let current: unknown = claims;
  for (const segment of name.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/**
 * A claim's values as text: an array's strings, numbers and booleans, or the
 * value itself. With `splitSpaces` a string is split on whitespace (some IdPs
 * send `groups: "a b c"`, as OAuth sends `scope`); `claim:` conditions compare
 * whole values, so that `in: [Support]` never matches "Customer Support".
 */
export function claimTexts(value: unknown, splitSpaces = false): string[] {
  if (typeof value === 'string') {
    if (!splitSpaces) return value.length > 0 ? [value] : [];
    return value.split(/\s+/).filter((part) => part.length > 0);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (!Array.isArray(value)) return [];
  const texts: string[] = [];
  for (const item of value as unknown[]) {
    if (typeof item === 'string' && item.length > 0) texts.push(item);
    else if (typeof item === 'number' || typeof item === 'boolean') texts.push(String(item));
  }
  return texts;
}
