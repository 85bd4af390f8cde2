import { invalid, valid, type ValueParser } from '../variable.ts';

/** RFC 6750 §2.1 b64token: what an `Authorization: Bearer` header can carry unquoted. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * A shared secret that clients send as a bearer token. Never quoted in a
 * message (it is a secret); at least `minLength` characters, so that it is
 * not guessed (the route it guards is served before the rate limits).
 */
export function bearerSecret(minLength: number): ValueParser<string> {
  return (raw) => {
    if (!B64TOKEN.test(raw)) {
      return invalid(
        'must be a bearer token: letters, digits and - . _ ~ + / only, optionally ending in = (RFC 6750 §2.1)',
      );
    }
    if (raw.length < minLength) {
      return invalid(
        `must be at least ${minLength} characters long (got ${raw.length}); for example: openssl rand -base64 32`,
      );
    }
    return valid(raw);
  };
}
