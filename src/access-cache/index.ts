export {
  ACCESS_CACHE_MAX_ENTRIES,
  ACCESS_CACHE_TTL_MS,
  createAccessCache,
  type AccessCache,
  type AccessCacheOptions,
} from './create-access-cache.ts';
export type { CachedUpstreamTokens, UpstreamTokenStore } from './cached-upstream-tokens.ts';
export { accessTokenKey } from './cached-access-token-verifier.ts';
export { decodeInvalidation, encodeInvalidation, type InvalidationMessage } from './invalidation-messages.ts';
