import {
  createCipheriv,
  createDecipheriv,
  createHash,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Format marker so that a future key rotation or algorithm can be told apart. */
const SEALED_PREFIX = 'v1.';

/**
 * Seals text with AES-256-GCM. The associated data binds a ciphertext to where
 * it is stored (e.g. its grant id), so a record copied under another key fails
 * to open.
 */
export function seal(key: Buffer, plaintext: string, associatedData: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return SEALED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** Opens what seal produced; throws when the key, the associated data or the bytes differ. */
export function open(key: Buffer, sealed: string, associatedData: string): string {
  if (!sealed.startsWith(SEALED_PREFIX)) throw new Error('unknown sealed format');
  const raw = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('sealed value too short');
  const decipher = createDecipheriv(ALGORITHM, key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
    'utf8',
  );
}

/** Derives an independent 32-byte key for one purpose from the master key (HKDF-SHA256). */
export function deriveKey(masterKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `mcp-auth-proxy:${purpose}`, 32));
}

export function sha256Base64Url(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * A check of presented secrets against one expected secret (a bearer token
 * from configuration). Both sides are hashed first, so the digests compared
 * in constant time have equal length: neither the secret nor its length
 * leaks through timing.
 */
export function secretMatcher(expected: string): (presented: string) => boolean {
  const digestOf = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
  const expectedDigest = digestOf(expected);
  return (presented) => timingSafeEqual(digestOf(presented), expectedDigest);
}
