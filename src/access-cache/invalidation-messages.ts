/**
 * What the caches tell each other over the invalidation bus. Ids and hashes
 * only: a grant id or the SHA-256 of a token is no credential.
 */
export type InvalidationMessage =
  /** The grant was revoked: every token of it and its upstream tokens are void. */
  | { readonly kind: 'grant'; readonly grantId: string }
  /** One access token was destroyed (RFC 7009 revocation); `tokenKey` is its SHA-256. */
  | { readonly kind: 'token'; readonly tokenKey: string }
  /** The grant's upstream tokens were replaced (refresh, new login) or removed. */
  | { readonly kind: 'upstream'; readonly grantId: string };

const SEPARATOR = ':';

export function encodeInvalidation(message: InvalidationMessage): string {
  return message.kind + SEPARATOR + (message.kind === 'token' ? message.tokenKey : message.grantId);
}

/** Undefined for anything else (another version's message): the caller drops everything then. */
export function decodeInvalidation(text: string): InvalidationMessage | undefined {
  const at = text.indexOf(SEPARATOR);
  if (at <= 0 || at === text.length - 1) return undefined;
  const kind = text.slice(0, at);
  const id = text.slice(at + 1);
  switch (kind) {
    case 'grant':
      return { kind, grantId: id };
    case 'token':
      return { kind, tokenKey: id };
    case 'upstream':
      return { kind, grantId: id };
    default:
      return undefined;
  }
}
