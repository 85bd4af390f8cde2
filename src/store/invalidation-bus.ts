/**
 * A port for telling every instance that shares a store that something it may
 * hold in memory is stale (a revoked grant, a destroyed token, refreshed
 * upstream tokens). It carries short opaque strings and no secrets: callers
 * send ids and hashes, never a token.
 *
 * Delivery is at most once. A listener that may have missed messages (its
 * link to the store broke, or only "something changed" is known) is told with
 * `gap()` and must then forget everything it cached. While `isListening()` is
 * false nothing may be served from such a cache.
 */
export interface InvalidationBus {
  /** `redis`: pub/sub; `polling`: a revision key in the store, read a few times a second. */
  readonly kind: 'redis' | 'polling';
  /**
   * Delivers `message` to this instance's listeners at once (before this
   * resolves), then sends it to the other instances. Rejects when it could
   * not be sent; the local delivery has happened regardless.
   */
  publish(message: string): Promise<void>;
  /** Starts delivering to `listener`; the returned function stops it. */
  subscribe(listener: InvalidationListener): () => void;
  /** True while every message published from now on is sure to arrive here. */
  isListening(): boolean;
  close(): Promise<void>;
}

export interface InvalidationListener {
  /** A message another instance (or this one) published. */
  message(message: string): void;
  /**
   * Messages may have been lost, or one arrived whose content is unknown: drop
   * everything. Called when the link breaks and again when it is back.
   */
  gap(): void;
}

/** Fans messages and gaps out to a set of listeners, isolating one listener's throw from the others. */
export class InvalidationListeners {
  readonly #listeners = new Set<InvalidationListener>();
  readonly #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  add(listener: InvalidationListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  message(message: string): void {
    for (const listener of this.#listeners) this.#call(() => listener.message(message));
  }

  gap(): void {
    for (const listener of this.#listeners) this.#call(() => listener.gap());
  }

  #call(deliver: () => void): void {
    try {
      deliver();
    } catch (error) {
      this.#onError(error);
    }
  }
}
