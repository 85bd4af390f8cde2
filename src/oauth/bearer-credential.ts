/**
 * What the client's Authorization header holds. Only the header form is
 * accepted (RFC 6750 §2.1; MCP authorization §9.1: tokens never in the query).
 * `malformed` = the Bearer scheme with something that is not one b64token;
 * it counts as "a token was sent" for the challenge's `error` (RFC 6750 §3.1).
 */
export type BearerCredential =
  | { readonly kind: 'missing' }
  | { readonly kind: 'other_scheme' }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'token'; readonly token: string };

const MISSING: BearerCredential = { kind: 'missing' };
const OTHER_SCHEME: BearerCredential = { kind: 'other_scheme' };
const MALFORMED: BearerCredential = { kind: 'malformed' };

/** RFC 6750 §2.1: `Bearer` 1*SP b64token, the scheme case-insensitive (RFC 9110 §11.1). */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const BEARER_SCHEME = /^Bearer(?: |$)/i;

export function readBearerCredential(authorization: string | undefined): BearerCredential {
  if (authorization === undefined || authorization === '') return MISSING;
  const match = BEARER.exec(authorization);
  if (match !== null) return { kind: 'token', token: match[1]! };
  return BEARER_SCHEME.test(authorization) ? MALFORMED : OTHER_SCHEME;
}
