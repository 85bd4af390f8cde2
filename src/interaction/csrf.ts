import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { constantTimeEqual } from '../shared/crypto.ts';

/**
 * CSRF defence for the confirmation form (MCP Security Best Practices,
 * "Consent UI Requirements"). Three layers:
 * - the interaction itself is bound to the browser by oidc-provider's
 *   path-scoped, signed, SameSite=Lax `_interaction` cookie, so a cross-site
 *   POST carries no interaction and fails;
 * - our templates post a token, HMAC(key, interaction uid), checked here;
 * - templates written for the reference proxy post no token; for them a
 *   same-origin `Origin` (or `Sec-Fetch-Site: same-origin`) header is required.
 */
export function csrfTokenFor(key: Buffer, uid: string): string {
  return createHmac('sha256', key).update(`csrf:${uid}`).digest('base64url');
}

export function isCsrfSafe(
  req: IncomingMessage,
  form: URLSearchParams,
  key: Buffer,
  uid: string,
  origin: string,
): boolean {
  const token = form.get('csrf');
  if (token !== null) return constantTimeEqual(token, csrfTokenFor(key, uid));
  const requestOrigin = req.headers.origin;
  // Pages served with Referrer-Policy: no-referrer make browsers send `Origin: null` on their own
  // form posts (Fetch, "serializing a request origin"); Sec-Fetch-Site still says same-origin.
  if (requestOrigin !== undefined && requestOrigin !== 'null') return requestOrigin === origin;
  return req.headers['sec-fetch-site'] === 'same-origin';
}
