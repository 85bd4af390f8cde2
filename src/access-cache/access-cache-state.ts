import type { VerifiedAccess } from '../admission/index.ts';
import type { Identity } from '../policy/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { InvalidationBus } from '../store/index.ts';
import { ExpiringLruCache } from './expiring-lru-cache.ts';
import { decodeInvalidation, encodeInvalidation, type InvalidationMessage } from './invalidation-messages.ts';

/**
 * The upstream access token kept for a grant, with what decides when the vault
 * would refresh it (whether a refresh token exists, never the refresh token itself).
 */
export interface CachedUpstreamToken {
  readonly accessToken: string;
  readonly expiresAt: number | undefined;
  readonly refreshable: boolean;
  /** The user's identity kept with the grant (the access rules read it); undefined when none was kept. */
  readonly identity: Identity | undefined;
}

export interface AccessCacheStateOptions {
  readonly bus: InvalidationBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly ttlMs: number;
  readonly maxEntries: number;
}

/**
 * The two caches (validated access tokens by SHA-256, upstream tokens by
 * grant), kept honest by the invalidation bus:
 * - a message drops what it names, here and on every other instance;
 * - a gap (messages may have been lost) drops everything;
 * - while the bus is not listening nothing is read from or written to the caches;
 * - every drop or gap moves the generation on, and a value loaded from the
 *   store is kept only when the generation did not move while it loaded, so a
 *   read that raced with a revocation is never cached.
 */
export class AccessCacheState {
  readonly accessTokens: ExpiringLruCache<VerifiedAccess>;
  readonly upstreamTokens: ExpiringLruCache<CachedUpstreamToken>;
  readonly clock: Clock;
  readonly ttlMs: number;
  readonly #bus: InvalidationBus;
  readonly #logger: Logger;
  readonly #unsubscribe: () => void;
  #generation = 0;

  constructor(options: AccessCacheStateOptions) {
    this.accessTokens = new ExpiringLruCache(options.maxEntries);
    this.upstreamTokens = new ExpiringLruCache(options.maxEntries);
    this.clock = options.clock;
    this.ttlMs = options.ttlMs;
    this.#bus = options.bus;
    this.#logger = options.logger;
    this.#unsubscribe = options.bus.subscribe({
      message: (text) => {
        const message = decodeInvalidation(text);
        if (message === undefined) this.#dropAll();
        else this.#drop(message);
      },
      gap: () => this.#dropAll(),
    });
  }

  /** Serve from and fill the caches only while every invalidation is sure to arrive. */
  usable(): boolean {
    return this.#bus.isListening();
  }

  generation(): number {
    return this.#generation;
  }

  /** Keeps a loaded value only when nothing was invalidated since `generation` was read. */
  mayKeep(generation: number): boolean {
    return generation === this.#generation && this.usable();
  }

  /**
   * Drops here at once, then tells the other instances. Never rejects: the
   * change itself is already in the store, and an instance that misses the
   * message while its link is down drops everything when the link is back.
   */
  async announce(message: InvalidationMessage): Promise<void> {
    try {
      await this.#bus.publish(encodeInvalidation(message));
    } catch (error) {
      this.#logger.warn(
        { event: 'access_cache.announce_failed', kind: message.kind, reason: String(error) },
        'access_cache.announce_failed',
      );
    }
  }

  close(): void {
    this.#unsubscribe();
    this.#dropAll();
  }

  #drop(message: InvalidationMessage): void {
    this.#generation += 1;
    switch (message.kind) {
      case 'grant':
        this.accessTokens.deleteWhere((access) => access.grantId === message.grantId);
        this.upstreamTokens.delete(message.grantId);
        return;
      case 'token':
        this.accessTokens.delete(message.tokenKey);
        return;
      case 'upstream':
        this.upstreamTokens.delete(message.grantId);
        return;
    }
  }

  #dropAll(): void {
    this.#generation += 1;
    this.accessTokens.clear();
    this.upstreamTokens.clear();
  }
}
