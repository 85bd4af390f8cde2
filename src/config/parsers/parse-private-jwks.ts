import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { JWK } from 'jose';
import { invalid, valid, type ValueParser } from '../variable.ts';
import { parseJsonValue } from './parse-json.ts';
import { quoteValue } from './quote-value.ts';

/**
 * The members a private key of each type needs (RFC 7518 §6.2.2, §6.3.2;
 * RFC 8037 §2). oidc-provider signs with asymmetric keys only, so `oct` is
 * refused.
 */
const PRIVATE_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'],
  EC: ['crv', 'x', 'y', 'd'],
  OKP: ['crv', 'x', 'd'],
};

/** The members that make up the public half of a JWK (RFC 7518 §6.2.1, §6.3.1; RFC 8037 §2). */
const PUBLIC_MEMBERS = ['n', 'e', 'crv', 'x', 'y'] as const;

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Names a key in messages by position and kid; a kid is public (it is published at /jwks). */
const label = (key: JsonObject, index: number): string =>
  typeof key.kid === 'string' ? `key ${index} (kid ${quoteValue(key.kid)})` : `key ${index}`;

/** What is wrong with one key, or undefined. Key material is never quoted. */
function keyProblem(key: unknown, index: number): string | undefined {
  if (!isObject(key)) return `key ${index} is not a JSON object`;
  const name = label(key, index);
  const kty = key.kty;
  if (typeof kty !== 'string') return `${name} has no "kty"`;
  if (kty === 'oct') return `${name} is a symmetric ("oct") key; signing needs an RSA, EC or OKP private key`;
  const members = PRIVATE_MEMBERS[kty];
  if (members === undefined) return `${name} has kty ${quoteValue(kty)}; expected RSA, EC or OKP`;
  if (typeof key.d !== 'string') {
    return `${name} is a public key (no private member "d"); paste the private JWK, e.g. from \`mcp-auth-proxy init\``;
  }
  const missing = members.filter((member) => typeof key[member] !== 'string');
  if (missing.length > 0)
    return `${name} lacks the private key members ${missing.map((m) => `"${m}"`).join(', ')}`;
  const unusable = `${name} is not a usable private key: its members do not form a valid ${kty} key`;
  try {
    // Node imports OKP keys from "d" alone, so the public members are compared
    // with those derived from the private part: a mismatch would publish a
    // /jwks key that verifies nothing this server signs.
    const derived = createPublicKey(createPrivateKey({ key, format: 'jwk' })).export({ format: 'jwk' });
    const mismatched = PUBLIC_MEMBERS.filter(
      (member) => member in derived && derived[member] !== key[member],
    );
    if (mismatched.length > 0) return `${unusable} (its public part does not match its private part)`;
  } catch {
    return unusable;
  }
  return undefined;
}

function keyWarnings(keys: readonly JsonObject[]): string[] {
  const warnings: string[] = [];
  const seen = new Set<string>();
  keys.forEach((key, index) => {
    if (typeof key.kid !== 'string') {
      warnings.push(
        `key ${index} has no "kid": set one so that tokens name their signing key and keys can be rotated`,
      );
    } else if (seen.has(key.kid)) {
      warnings.push(
        `has more than one key with kid ${quoteValue(key.kid)}; verifiers may pick the wrong one`,
      );
    } else {
      seen.add(key.kid);
    }
  });
  return warnings;
}

/**
 * OIDC_PROVIDER_JWKS: a JSON array of private JWKs (a `{"keys":[...]}` set is
 * accepted too). Every bad key is reported; no key material ever is.
 */
export const privateJwks: ValueParser<readonly JWK[]> = (raw) => {
  const parsed = parseJsonValue(raw, true);
  if (!parsed.ok) return parsed;
  const list: unknown = isObject(parsed.value) ? parsed.value.keys : parsed.value;
  if (!Array.isArray(list))
    return invalid('must be a JSON array of private JWKs, e.g. [{"kty":"OKP","crv":"Ed25519",...}]');
  const keys: unknown[] = list;
  if (keys.length === 0)
    return invalid('holds no keys; add at least one private JWK, or unset it to have keys generated');
  // Messages read after the variable name: "OIDC_PROVIDER_JWKS key 1 (kid "b") is a public key ...".
  const messages = keys.flatMap((key, index) => keyProblem(key, index) ?? []);
  if (messages.length > 0) return { ok: false, messages };
  const objects = keys.filter(isObject);
  return valid(
    objects.map((key) => ({ ...key })),
    keyWarnings(objects),
  );
};
