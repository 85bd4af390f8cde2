import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type {
  RateLimitCounters,
  RateLimitDecision,
  RateLimiter,
  RateLimiterOptions,
} from './rate-limiter.ts';

/**
 * How often a key's local count is added to the shared counter. Between two
 * syncs an instance does not see the other instances' requests, so together
 * they may admit up to this long's worth of requests past the limit.
 */
export const RATE_LIMIT_SYNC_INTERVAL_MS = 100;

export interface LocalFirstRateLimiterOptions extends RateLimiterOptions {
  readonly clock: Clock;
  readonly syncIntervalMs?: number;
}

export interface LocalFirstRateLimiter extends RateLimiter {
  /** Adds every local count to the store now (tests; a clean shutdown). */
  flush(): Promise<void>;
  close(): void;
}

interface Window {
  /** Resolves once the store answered the request that opened this window. */
  opened: Promise<RateLimitDecision> | undefined;
  endsAtMs: number;
  /** The shared count as of the last sync: ours up to then and every other instance's. */
  sharedCount: number;
  /** Counted here since the last sync. */
  unsynced: number;
  /** Counted here and on its way to the store (0 when no sync is running). */
  syncing: number;
  lastSyncMs: number;
}

/** What this instance knows the window's count to be. */
const countOf = (window: Window): number => window.sharedCount + window.syncing + window.unsynced;

/**
 * The same fixed window, per key and shared by every instance, as
 * createRateLimiter, without a store round trip per request: the first request
 * of a window asks the store (so it sees what other instances counted), the
 * following ones are counted in memory and added to the store's counter in one
 * `increment(key, windowMs, amount)` at most every sync interval. On the MCP
 * path that round trip was the largest cost left (docs/benchmarks.md).
 *
 * Fails open like createRateLimiter: while the store does not answer,
 * requests are still counted here, so one instance keeps enforcing the limit
 * on its own.
 */
export function createLocalFirstRateLimiter(
  store: RateLimitCounters,
  options: LocalFirstRateLimiterOptions,
): LocalFirstRateLimiter {
  const { maxRequests, windowMs, keyPrefix, logger, clock } = options;
  const syncIntervalMs = options.syncIntervalMs ?? RATE_LIMIT_SYNC_INTERVAL_MS;
  const windows = new Map<string, Window>();
  const outage = outageLog(logger);

  const decide = (count: number, window: Window, nowMs: number): RateLimitDecision => ({
    allowed: count <= maxRequests,
    limit: maxRequests,
    remaining: Math.max(0, maxRequests - count),
    resetSeconds: Math.max(1, Math.ceil((window.endsAtMs - nowMs) / 1000)),
  });

  async function open(key: string, window: Window, nowMs: number): Promise<RateLimitDecision> {
    try {
      const { count, resetInMs } = await store.increment(keyPrefix + key, windowMs);
      outage.recovered();
      window.sharedCount = count;
      window.endsAtMs = clock.nowMs() + resetInMs;
    } catch (error) {
      outage.failed(error);
      window.unsynced += 1;
    }
    window.lastSyncMs = clock.nowMs();
    return decide(countOf(window), window, nowMs);
  }

  async function sync(key: string, window: Window): Promise<void> {
    const amount = window.unsynced;
    if (amount === 0 || window.syncing > 0) return;
    window.unsynced = 0;
    window.syncing = amount;
    window.lastSyncMs = clock.nowMs();
    try {
      const { count, resetInMs } = await store.increment(keyPrefix + key, windowMs, amount);
      outage.recovered();
      window.sharedCount = count;
      window.endsAtMs = clock.nowMs() + resetInMs;
    } catch (error) {
      outage.failed(error);
      window.unsynced += amount;
    } finally {
      window.syncing = 0;
    }
  }

  /** Syncs what is due and forgets ended windows, so idle keys hold no memory. */
  function sweep(): void {
    const nowMs = clock.nowMs();
    for (const [key, window] of windows) {
      if (window.opened !== undefined) continue;
      if (window.unsynced > 0) void sync(key, window);
      else if (nowMs >= window.endsAtMs) windows.delete(key);
    }
  }
  const timer = setInterval(sweep, syncIntervalMs);
  timer.unref();

  return {
    async consume(key) {
      const nowMs = clock.nowMs();
      const window = windows.get(key);
      if (
        window === undefined ||
        (window.opened === undefined && nowMs >= window.endsAtMs && window.syncing === 0)
      ) {
        const fresh: Window = {
          opened: undefined,
          endsAtMs: nowMs + windowMs,
          sharedCount: 0,
          unsynced: 0,
          syncing: 0,
          lastSyncMs: nowMs,
        };
        fresh.opened = open(key, fresh, nowMs).finally(() => {
          fresh.opened = undefined;
        });
        windows.set(key, fresh);
        return await fresh.opened;
      }
      // Requests that arrive while the window's first answer is on its way wait for it (rare).
      if (window.opened !== undefined) await window.opened;
      window.unsynced += 1;
      if (clock.nowMs() - window.lastSyncMs >= syncIntervalMs) void sync(key, window);
      return decide(countOf(window), window, clock.nowMs());
    },

    async flush() {
      await Promise.all([...windows].map(([key, window]) => sync(key, window)));
    },

    close() {
      clearInterval(timer);
    },
  };
}

/** Logs a store outage once when it starts and once when it ends (as createRateLimiter does). */
function outageLog(logger: Logger | undefined) {
  let failing = false;
  return {
    failed(error: unknown) {
      if (failing) return;
      failing = true;
      logger?.warn(
        { event: 'rate_limit.store_unavailable', reason: error instanceof Error ? error.name : typeof error },
        'rate_limit.store_unavailable',
      );
    },
    recovered() {
      if (!failing) return;
      failing = false;
      logger?.info({ event: 'rate_limit.store_recovered' }, 'rate_limit.store_recovered');
    },
  };
}
