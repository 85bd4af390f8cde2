import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { KeyValueStore } from '../store/key-value-store.ts';
import { open, randomToken, seal } from '../shared/crypto.ts';

const STORED_SIGNING_KEYS = 'keys:signing-jwks';

/**
 * The private JWKs oidc-provider signs with. OIDC_PROVIDER_JWKS wins; without
 * it the keys are generated once and kept (sealed) in the store, so a restart
 * or a second instance on the same Redis signs with the same keys. Two
 * instances racing on an empty store settle on whichever wrote first.
 */
export async function resolveSigningKeys(
  configured: readonly JWK[] | undefined,
  store: KeyValueStore,
  encryptionKey: Buffer,
): Promise<JWK[]> {
  if (configured !== undefined && configured.length > 0) return configured.map((key) => ({ ...key }));

  const existing = await store.get(STORED_SIGNING_KEYS);
  if (existing !== undefined) return parseStored(existing, encryptionKey);

  const generated = await generateSigningKeys();
  const sealed = seal(encryptionKey, JSON.stringify(generated), STORED_SIGNING_KEYS);
  if (await store.setIfAbsent(STORED_SIGNING_KEYS, sealed)) return generated;
  const winner = await store.get(STORED_SIGNING_KEYS);
  if (winner === undefined) throw new Error('signing keys vanished from the store while being created');
  return parseStored(winner, encryptionKey);
}

function parseStored(sealed: string, encryptionKey: Buffer): JWK[] {
  return JSON.parse(open(encryptionKey, sealed, STORED_SIGNING_KEYS)) as JWK[];
}

/**
 * A fresh pair of private signing JWKs with random kids: RS256 and ES256. Used
 * when OIDC_PROVIDER_JWKS is not set, and by `mcp-auth-proxy init` to write it.
 */
export async function generateSigningKeys(): Promise<JWK[]> {
  // RS256 first: it is what every relying party library verifies by default.
  const rsa = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const ec = await generateKeyPair('ES256', { extractable: true });
  return [
    { ...(await exportJWK(rsa.privateKey)), kid: randomToken(12), alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.privateKey)), kid: randomToken(12), alg: 'ES256', use: 'sig' },
  ];
}
