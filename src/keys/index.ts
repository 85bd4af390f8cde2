export { generateEncryptionKey, resolveEncryptionKey } from './resolve-encryption-key.ts';
export { generateSigningKeys, resolveSigningKeys } from './resolve-signing-keys.ts';
