import { randomToken } from '../shared/crypto.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { InvalidationListeners, type InvalidationBus } from './invalidation-bus.ts';
import type { KeyValueStore } from './key-value-store.ts';

/**
 * The store key whose value changes with every publish. Any process sharing
 * the store (another instance, the `grants revoke` command) announces a change
 * by writing a new value; every poller then drops its caches.
 */
export const INVALIDATION_REVISION_KEY = 'invalidation:revision';

/** Four reads a second: a change is seen within a quarter second plus one read. */
export const DEFAULT_POLL_INTERVAL_MS = 250;
/**
 * Without a successful read this recent (a stalled event loop, a store that
 * does not answer), the bus no longer vouches for anything.
 */
const STALE_AFTER_MS = 1_000;

export interface PollingInvalidationBusOptions {
  readonly store: KeyValueStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly pollIntervalMs?: number;
}

/**
 * The invalidation bus for stores without pub/sub (SQLite, memory): a single
 * revision key, read a few times a second. Messages reach this instance's
 * listeners as they are; other processes only learn that something changed,
 * so they get `gap()` and drop everything (revocations are rare).
 * Resolves after the first read, so it listens from the start.
 */
export async function createPollingInvalidationBus(
  options: PollingInvalidationBusOptions,
): Promise<InvalidationBus> {
  const { store, clock, logger } = options;
  const intervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const listeners = new InvalidationListeners((error) =>
    logger.error({ event: 'invalidation.listener_failed', err: error }, 'invalidation.listener_failed'),
  );
  let lastRevision: string | undefined;
  let lastReadMs = Number.NEGATIVE_INFINITY;
  let initialized = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  async function poll(): Promise<void> {
    try {
      const revision = await store.get(INVALIDATION_REVISION_KEY);
      const wasListening = isListening();
      lastReadMs = clock.nowMs();
      const changed = revision !== lastRevision;
      lastRevision = revision;
      // Back after an outage: whatever changed meanwhile is unknown.
      if (initialized && (changed || !wasListening)) listeners.gap();
    } catch (error) {
      if (isListening()) {
        logger.warn({ event: 'invalidation.unavailable', reason: String(error) }, 'invalidation.unavailable');
        lastReadMs = Number.NEGATIVE_INFINITY;
        listeners.gap();
      }
    }
    initialized = true;
  }

  function schedule(): void {
    if (closed) return;
    timer = setTimeout(() => {
      void poll().finally(schedule);
    }, intervalMs);
    timer.unref();
  }

  const isListening = (): boolean => !closed && clock.nowMs() - lastReadMs <= STALE_AFTER_MS;

  await poll();
  schedule();

  return {
    kind: 'polling',

    async publish(message) {
      listeners.message(message);
      const revision = randomToken(16);
      await store.set(INVALIDATION_REVISION_KEY, revision);
      // Our own change needs no gap here; a poll that raced with it may still cause one, which is harmless.
      lastRevision = revision;
    },

    subscribe: (listener) => listeners.add(listener),

    isListening,

    close() {
      closed = true;
      clearTimeout(timer);
      return Promise.resolve();
    },
  };
}
