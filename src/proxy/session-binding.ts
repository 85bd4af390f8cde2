import { DependencyUnavailableError } from '../http-kit/dependency-unavailable-error.ts';
import { sha256Base64Url } from '../shared/crypto.ts';
import type { KeyValueStore } from '../store/index.ts';
import type { SessionOwners } from '../admission/index.ts';

/** How long the store remembers who opened a session; longer than any MCP session is expected to live. */
export const SESSION_OWNER_TTL_MS = 24 * 60 * 60 * 1000;
/** Sessions whose owner is kept in memory, per process (least recently used out first). */
export const SESSION_OWNER_CACHE_ENTRIES = 10_000;

const KEY_PREFIX = 'mcp-session:';
/** Cached "no owner recorded", so a session from before the binding costs one store read per process. */
const NO_OWNER = '';

export interface SessionBindingOptions {
  readonly cacheEntries?: number | undefined;
  readonly ttlMs?: number | undefined;
}

/**
 * Session → account, in the store (shared by every instance) and in a bounded
 * in-process LRU map in front of it. Caching without expiry is safe because a
 * session's owner never changes; the store key holds a hash of the session id,
 * so the keyspace never lists live session ids.
 */
export function createSessionBinding(
  store: KeyValueStore,
  options: SessionBindingOptions = {},
): SessionOwners {
  const capacity = options.cacheEntries ?? SESSION_OWNER_CACHE_ENTRIES;
  const ttlMs = options.ttlMs ?? SESSION_OWNER_TTL_MS;
  // A Map iterates in insertion order: re-inserting on a hit makes the first key the least recently used.
  const cache = new Map<string, string>();

  function remember(sessionId: string, owner: string): void {
    cache.delete(sessionId);
    cache.set(sessionId, owner);
    if (cache.size > capacity) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
  }

  return {
    async ownerOf(sessionId) {
      const cached = cache.get(sessionId);
      if (cached !== undefined) {
        remember(sessionId, cached);
        return cached === NO_OWNER ? undefined : cached;
      }
      let stored: string | undefined;
      try {
        stored = await store.get(KEY_PREFIX + sha256Base64Url(sessionId));
      } catch (error) {
        throw new DependencyUnavailableError('store', 'The session store did not answer.', error);
      }
      remember(sessionId, stored ?? NO_OWNER);
      return stored === NO_OWNER ? undefined : stored;
    },

    async record(sessionId, accountId) {
      remember(sessionId, accountId);
      await store.set(KEY_PREFIX + sha256Base64Url(sessionId), accountId, { ttlMs });
    },
  };
}
