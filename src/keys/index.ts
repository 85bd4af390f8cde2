export { resolveEncryptionKey } from './resolve-encryption-key.ts';
export { resolveSigningKeys } from './resolve-signing-keys.ts';
