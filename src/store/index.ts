export type { KeyValueStore } from './key-value-store.ts';
export { openStore, type OpenStoreDependencies } from './open-store.ts';
export { createMemoryStore, type MemoryStoreOptions } from './memory/memory-store.ts';
export {
  createOidcAdapterFactory,
  oidcRecordKey,
  grantSetKey,
  type OidcAdapterOptions,
} from './oidc-adapter.ts';
