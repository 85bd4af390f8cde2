/**
 * The storage port every stateful part of the proxy is written against.
 *
 * Deliberately small: each backend (SQLite, Redis, memory) implements it and
 * passes the one contract suite in test/contract. Values are opaque strings;
 * callers own their encoding. Every TTL is in milliseconds and optional
 * (absent = keep until deleted).
 */
export interface KeyValueStore {
  /** Which backend this is, for logs and health reports. */
  readonly kind: 'sqlite' | 'redis' | 'memory';

  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, options?: { ttlMs?: number }): Promise<void>;
  /** Writes only when the key is absent (or expired). True when this call wrote it: locks, first-writer-wins. */
  setIfAbsent(key: string, value: string, options?: { ttlMs?: number }): Promise<boolean>;
  /**
   * Writes only while the key still holds exactly `expected` (and has not expired); the TTL
   * replaces the old one, as `set` does. True when this call wrote it: of concurrent callers
   * that read the same value and each write their change of it, exactly one wins, so a
   * read-modify-write never loses a concurrent update (single-use credentials).
   */
  compareAndSet(key: string, expected: string, value: string, options?: { ttlMs?: number }): Promise<boolean>;
  /** Atomically reads and deletes: of two concurrent takes, exactly one gets the value. */
  take(key: string): Promise<string | undefined>;
  delete(...keys: string[]): Promise<void>;

  /**
   * Adds a member to a set; the TTL, when given, applies to the whole set and is extended, never
   * shortened. Resolves to the number of members after the add (a member already there counts once).
   */
  addToSet(key: string, member: string, options?: { ttlMs?: number }): Promise<number>;
  /** Removes members from a set; the set's TTL stays, and a set left empty is gone. */
  removeFromSet(key: string, ...members: string[]): Promise<void>;
  members(key: string): Promise<string[]>;

  /**
   * Increments a counter that lives for one window (fixed-window rate limiting).
   * The window starts with the first increment; returns the new count and the
   * milliseconds until the window resets. `amount` (a positive integer, default 1)
   * lets a caller that counted locally add its count in one call.
   */
  increment(key: string, windowMs: number, amount?: number): Promise<{ count: number; resetInMs: number }>;

  /** Every live key that starts with the prefix (operator tooling, never the hot path). */
  keys(prefix: string): AsyncIterable<string>;

  /** Throws StoreUnavailableError when the backend cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
