import { hash } from 'node:crypto';
import type { VerifyAccessToken } from '../admission/index.ts';
import type { AccessCacheState } from './access-cache-state.ts';

/**
 * The cache key of an access token: its SHA-256, so the cache never holds a
 * token a client could present. The one-shot crypto.hash, because building a
 * Hash object per request showed in profiles.
 */
export const accessTokenKey = (token: string): string => hash('sha256', token, 'base64url');

/**
 * Serves the verdict on a valid access token from memory after the first
 * check, until the cache TTL or the token's own expiry, whichever is first.
 * Invalid tokens are not cached: they are checked against the store every
 * time (a token that does not exist cannot start to exist under the same value).
 */
export function cacheAccessTokenVerifier(
  verify: VerifyAccessToken,
  state: AccessCacheState,
): VerifyAccessToken {
  return async (token) => {
    if (!state.usable()) return await verify(token);
    const key = accessTokenKey(token);
    const nowMs = state.clock.nowMs();
    const cached = state.accessTokens.get(key, nowMs);
    if (cached !== undefined) return cached;
    const generation = state.generation();
    const access = await verify(token);
    if (access !== undefined && state.mayKeep(generation)) {
      const expiresAtMs = Math.min(nowMs + state.ttlMs, access.expiresAtSeconds * 1000);
      state.accessTokens.set(key, access, expiresAtMs);
    }
    return access;
  };
}
