import type { UpstreamTokenSource } from '../admission/index.ts';
import { nowSeconds } from '../shared/clock.ts';
import { isExpiring, type UpstreamTokenSet } from '../upstream-token-vault/index.ts';
import type { AccessCacheState } from './access-cache-state.ts';

/** What the cache needs of the upstream token vault. */
export interface UpstreamTokenStore extends UpstreamTokenSource {
  read(grantId: string): Promise<UpstreamTokenSet | undefined>;
  save(grantId: string, tokens: UpstreamTokenSet): Promise<void>;
}

/** The vault's hot-path view (current, refresh) and the login bridge's (save), with the cache in between. */
export interface CachedUpstreamTokens extends UpstreamTokenSource {
  save(grantId: string, tokens: UpstreamTokenSet): Promise<void>;
}

/**
 * Keeps each grant's decrypted upstream access token in memory, so a request
 * neither reads the store nor opens the AES-GCM seal. A token the vault would
 * refresh now (isExpiring) is never served from here: the vault decides. A
 * refresh or a new login replaces the tokens, so every instance is told to
 * drop its copy; a revoked grant is announced by the adapter (revocation-watching-adapter.ts).
 */
export function cacheUpstreamTokens(
  vault: UpstreamTokenStore,
  state: AccessCacheState,
): CachedUpstreamTokens {
  /** Runs a vault call that may replace the grant's tokens, then tells every instance to drop its copy. */
  async function refreshed(grantId: string, call: () => Promise<string>): Promise<string>;
  async function refreshed(
    grantId: string,
    call: () => Promise<string | undefined>,
  ): Promise<string | undefined>;
  async function refreshed(
    grantId: string,
    call: () => Promise<string | undefined>,
  ): Promise<string | undefined> {
    state.upstreamTokens.delete(grantId);
    try {
      return await call();
    } finally {
      await state.announce({ kind: 'upstream', grantId });
    }
  }

  return {
    async current(grantId) {
      if (!state.usable()) return await vault.current(grantId);
      const atSeconds = nowSeconds(state.clock);
      const cached = state.upstreamTokens.get(grantId, state.clock.nowMs());
      if (cached !== undefined && !isExpiring(cached, atSeconds)) return cached.accessToken;
      const generation = state.generation();
      const tokens = await vault.read(grantId);
      if (tokens === undefined) return undefined;
      const loaded = {
        accessToken: tokens.accessToken,
        expiresAt: tokens.expiresAt,
        refreshable: tokens.refreshToken !== undefined,
      };
      // Refreshing (single flight, locks across instances) stays the vault's business.
      if (isExpiring(loaded, atSeconds)) return await refreshed(grantId, () => vault.current(grantId));
      if (state.mayKeep(generation))
        state.upstreamTokens.set(grantId, loaded, state.clock.nowMs() + state.ttlMs);
      return tokens.accessToken;
    },

    refresh: (grantId, rejectedToken) => refreshed(grantId, () => vault.refresh(grantId, rejectedToken)),

    async save(grantId, tokens) {
      await vault.save(grantId, tokens);
      await state.announce({ kind: 'upstream', grantId });
    },
  };
}
