import type { UpstreamTokenSource } from '../admission/index.ts';
import { parseStoredIdentity, type Identity } from '../policy/index.ts';
import { nowSeconds } from '../shared/clock.ts';
import { isExpiring, type UpstreamTokenSet } from '../upstream-token-vault/index.ts';
import type { AccessCacheState, CachedUpstreamToken } from './access-cache-state.ts';
import { ExpiringLruCache } from './expiring-lru-cache.ts';

/** What the cache needs of the upstream token vault. */
export interface UpstreamTokenStore extends UpstreamTokenSource {
  read(grantId: string): Promise<UpstreamTokenSet | undefined>;
  save(grantId: string, tokens: UpstreamTokenSet): Promise<void>;
}

/** The vault's hot-path view (current, refresh, identity) and the login bridge's (save), with the cache in between. */
export interface CachedUpstreamTokens extends UpstreamTokenSource {
  save(grantId: string, tokens: UpstreamTokenSet): Promise<void>;
  identityOf(grantId: string): Promise<Identity | undefined>;
}

/** A grant's identity as last parsed, with the sealed text it came from. */
interface ParsedIdentity {
  readonly text: string;
  readonly identity: Identity | undefined;
}

/**
 * Keeps each grant's decrypted upstream access token, and the user's identity
 * kept with it, in memory, so a request neither reads the store nor opens the
 * AES-GCM seal. A token the vault would refresh now (isExpiring) is never
 * served from here: the vault decides. A refresh or a new login replaces the
 * tokens, so every instance is told to drop its copy; a revoked grant is
 * announced by the adapter (revocation-watching-adapter.ts).
 *
 * The parsed identity is kept per grant beside the text it was parsed from,
 * and reused while that text stays the same: the access rules remember their
 * answer per identity object, so the same object means the conditions run
 * once per grant, not once per request or per cache reload.
 */
export function cacheUpstreamTokens(
  vault: UpstreamTokenStore,
  state: AccessCacheState,
  maxEntries: number,
): CachedUpstreamTokens {
  const identities = new ExpiringLruCache<ParsedIdentity>(maxEntries);
  const loading = new Map<string, Promise<CachedUpstreamToken | undefined>>();

  const identityFrom = (grantId: string, text: string | undefined): Identity | undefined => {
    if (text === undefined) return undefined;
    const known = identities.get(grantId, 0);
    if (known?.text === text) return known.identity;
    const identity = parseStoredIdentity(text);
    identities.set(grantId, { text, identity }, Number.POSITIVE_INFINITY);
    return identity;
  };

  /** One read of the vault per grant at a time; kept when nothing was invalidated meanwhile. */
  const load = (grantId: string): Promise<CachedUpstreamToken | undefined> => {
    const pending = loading.get(grantId);
    if (pending !== undefined) return pending;
    const generation = state.generation();
    const read = vault
      .read(grantId)
      .then((tokens) => {
        if (tokens === undefined) {
          identities.delete(grantId);
          return undefined;
        }
        const loaded: CachedUpstreamToken = {
          accessToken: tokens.accessToken,
          expiresAt: tokens.expiresAt,
          refreshable: tokens.refreshToken !== undefined,
          identity: identityFrom(grantId, tokens.identity),
        };
        if (!isExpiring(loaded, nowSeconds(state.clock)) && state.mayKeep(generation))
          state.upstreamTokens.set(grantId, loaded, state.clock.nowMs() + state.ttlMs);
        return loaded;
      })
      .finally(() => loading.delete(grantId));
    loading.set(grantId, read);
    return read;
  };

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
      const loaded = await load(grantId);
      if (loaded === undefined) return undefined;
      // Refreshing (single flight, locks across instances) stays the vault's business.
      if (isExpiring(loaded, atSeconds)) return await refreshed(grantId, () => vault.current(grantId));
      return loaded.accessToken;
    },

    async identityOf(grantId) {
      if (!state.usable()) return identityFrom(grantId, (await vault.read(grantId))?.identity);
      const cached = state.upstreamTokens.get(grantId, state.clock.nowMs());
      return (cached ?? (await load(grantId)))?.identity;
    },

    refresh: (grantId, rejectedToken) => refreshed(grantId, () => vault.refresh(grantId, rejectedToken)),

    async save(grantId, tokens) {
      await vault.save(grantId, tokens);
      await state.announce({ kind: 'upstream', grantId });
    },
  };
}
