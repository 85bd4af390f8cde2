export type { KeyValueStore } from './key-value-store.ts';
export { openStore, type OpenStoreDependencies } from './open-store.ts';
export { createMemoryStore, type MemoryStoreOptions } from './memory/memory-store.ts';
export {
  createOidcAdapterFactory,
  oidcRecordKey,
  grantSetKey,
  type OidcAdapterOptions,
} from './oidc-adapter.ts';
export type { InvalidationBus, InvalidationListener } from './invalidation-bus.ts';
export { openInvalidationBus, type OpenInvalidationBusDependencies } from './open-invalidation-bus.ts';
export {
  createPollingInvalidationBus,
  INVALIDATION_REVISION_KEY,
  type PollingInvalidationBusOptions,
} from './polling-invalidation-bus.ts';
export { redisLocation } from './redis/redis-location.ts';
export { decorateAdapter, type AdapterHooks } from './decorate-adapter.ts';
