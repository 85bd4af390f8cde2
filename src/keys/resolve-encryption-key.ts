import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { JWK } from 'jose';
import type { KeyConfig } from '../config/config.ts';
import { deriveKey } from '../shared/crypto.ts';

const KEY_BYTES = 32;

/**
 * The master key behind every sealed upstream token and every signed cookie.
 * Order (issue #2): an explicit key; else one derived from the private signing
 * keys, so an operator of the Heroku proxy (who always has OIDC_PROVIDER_JWKS)
 * needs no new variable; else, for the embedded quick start only, a random key
 * kept in a 0600 file beside the SQLite store so restarts keep working.
 */
export async function resolveEncryptionKey(keys: KeyConfig): Promise<Buffer> {
  const source = keys.encryptionKey;
  switch (source.kind) {
    case 'explicit':
      return source.key;
    case 'derived-from-signing-keys':
      return deriveFromSigningKeys(keys.signingKeys ?? []);
    case 'generated-file':
      return await readOrCreateKeyFile(source.path);
  }
}

/** A fresh random master key (MCP_AUTH_PROXY_ENCRYPTION_KEY), also written by `mcp-auth-proxy init`. */
export function generateEncryptionKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

function deriveFromSigningKeys(signingKeys: readonly JWK[]): Buffer {
  // Only private members feed the derivation: the public half is published at /jwks.
  const secretMaterial = signingKeys
    .map((key) => [key.d, key.p, key.q, key.k].filter((part) => typeof part === 'string').join('.'))
    .join('|');
  if (secretMaterial.length === 0) throw new Error('OIDC_PROVIDER_JWKS holds no private key material');
  return deriveKey(Buffer.from(secretMaterial, 'utf8'), 'encryption-key-from-jwks');
}

async function readOrCreateKeyFile(path: string): Promise<Buffer> {
  try {
    return decodeKeyFile(await readFile(path, 'utf8'), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const key = generateEncryptionKey();
  try {
    // 'wx' fails if another process created the file first; then read theirs.
    const handle = await open(path, 'wx', 0o600);
    await handle.writeFile(key.toString('base64url') + '\n');
    await handle.close();
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return decodeKeyFile(await readFile(path, 'utf8'), path);
  }
}

function decodeKeyFile(contents: string, path: string): Buffer {
  const key = Buffer.from(contents.trim(), 'base64url');
  if (key.length !== KEY_BYTES) throw new Error(`${path} does not hold a ${KEY_BYTES}-byte key`);
  return key;
}
