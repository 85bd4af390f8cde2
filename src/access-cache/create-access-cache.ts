import type { AdapterFactory } from 'oidc-provider';
import type { VerifyAccessToken } from '../admission/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { InvalidationBus } from '../store/index.ts';
import { AccessCacheState } from './access-cache-state.ts';
import { cacheAccessTokenVerifier } from './cached-access-token-verifier.ts';
import {
  cacheUpstreamTokens,
  type CachedUpstreamTokens,
  type UpstreamTokenStore,
} from './cached-upstream-tokens.ts';
import { watchRevocations } from './revocation-watching-adapter.ts';

/**
 * How long a verdict or an upstream token is served from memory at most. The
 * TTL is not what makes revocation quick (the bus is); it bounds how long a
 * cached value may outlive a change the bus could not report.
 */
export const ACCESS_CACHE_TTL_MS = 30_000;
/** Per cache: 10,000 active tokens is far more than one instance serves; an entry is a few hundred bytes. */
export const ACCESS_CACHE_MAX_ENTRIES = 10_000;

export interface AccessCacheOptions {
  readonly bus: InvalidationBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly ttlMs?: number;
  readonly maxEntries?: number;
}

/** Decorators for the three seams the hot path crosses; see DESIGN.md next to this file. */
export interface AccessCache {
  /** The proxy's token check, served from memory after the first success. */
  verifier(verify: VerifyAccessToken): VerifyAccessToken;
  /** The vault as the proxy and the login bridge use it, with decrypted tokens and parsed identities kept in memory. */
  upstreamTokens(vault: UpstreamTokenStore): CachedUpstreamTokens;
  /** oidc-provider's adapter, announcing every revocation to every instance. */
  watchAdapter(factory: AdapterFactory): AdapterFactory;
  /** Stops listening to the bus and drops everything (the bus itself is closed by its owner). */
  close(): void;
}

export function createAccessCache(options: AccessCacheOptions): AccessCache {
  const maxEntries = options.maxEntries ?? ACCESS_CACHE_MAX_ENTRIES;
  const state = new AccessCacheState({
    bus: options.bus,
    clock: options.clock,
    logger: options.logger,
    ttlMs: options.ttlMs ?? ACCESS_CACHE_TTL_MS,
    maxEntries,
  });
  return {
    verifier: (verify) => cacheAccessTokenVerifier(verify, state),
    upstreamTokens: (vault) => cacheUpstreamTokens(vault, state, maxEntries),
    watchAdapter: (factory) => watchRevocations(factory, state),
    close: () => state.close(),
  };
}
