/**
 * Every label value the metrics use comes from a fixed set, so the number of
 * series stays bounded whatever clients send (Prometheus naming practice:
 * never an id, address or token as a label). Values outside a set read `other`.
 */

export const REGISTRATION_KINDS = ['dynamic', 'metadata_document'] as const;
export const GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:device_code',
] as const;
export const GRANT_REVOCATION_CAUSES = [
  'client',
  'replay',
  'refresh_refused',
  'operator',
  'admin',
  'user',
] as const;
export const UPSTREAM_REFRESH_OUTCOMES = ['refreshed', 'joined', 'failed', 'refused'] as const;
export const RATE_LIMITERS = ['address', 'grant'] as const;

export const OTHER = 'other';

const KNOWN_GRANT_TYPES: ReadonlySet<string> = new Set(GRANT_TYPES);
/** An OAuth error code (RFC 6749 §5.2 names are lower-case words joined by `_`). */
const ERROR_CODE = /^[a-z_]{1,40}$/;

export function grantTypeLabel(grantType: string): string {
  return KNOWN_GRANT_TYPES.has(grantType) ? grantType : OTHER;
}

export function errorCodeLabel(code: string): string {
  return ERROR_CODE.test(code) ? code : OTHER;
}
