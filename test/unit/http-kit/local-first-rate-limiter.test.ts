import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLocalFirstRateLimiter } from '../../../src/http-kit/local-first-rate-limiter.ts';
import type { KeyValueStore } from '../../../src/store/key-value-store.ts';
import { createMemoryStore } from '../../../src/store/memory/memory-store.ts';
import { createManualClock } from '../../contract/manual-clock.ts';

const WINDOW_MS = 60_000;
const SYNC_MS = 100;

/** The real memory store, with its increments counted, so a test sees which requests reached it. */
function countingStore(store: KeyValueStore): { store: KeyValueStore; increments: number[] } {
  const increments: number[] = [];
  return {
    increments,
    store: {
      ...store,
      increment: (key, windowMs, amount) => {
        increments.push(amount ?? 1);
        return store.increment(key, windowMs, amount);
      },
    },
  };
}

describe('createLocalFirstRateLimiter (counted in memory, synced to the store)', () => {
  it('asks the store for the first request of a window and counts the rest in memory until a sync is due', async () => {
    const clock = createManualClock();
    const counted = countingStore(createMemoryStore({ clock }));
    const limiter = createLocalFirstRateLimiter(counted.store, {
      maxRequests: 100,
      windowMs: WINDOW_MS,
      keyPrefix: 'rl:',
      clock,
      syncIntervalMs: SYNC_MS,
    });
    try {
      for (let request = 0; request < 5; request += 1)
        assert.equal((await limiter.consume('g')).allowed, true);
      assert.deepEqual(counted.increments, [1], 'only the first request reached the store');
      clock.advance(SYNC_MS);
      const sixth = await limiter.consume('g');
      assert.equal(sixth.remaining, 94);
      await limiter.flush();
      assert.deepEqual(counted.increments, [1, 5], 'the local count went to the store in one increment');
      assert.equal(Number(await counted.store.get('rl:g')), 6);
    } finally {
      limiter.close();
    }
  });

  it('refuses once the shared count passes the limit and reports when the window resets', async () => {
    const clock = createManualClock();
    const store = createMemoryStore({ clock });
    const limiter = createLocalFirstRateLimiter(store, {
      maxRequests: 3,
      windowMs: WINDOW_MS,
      keyPrefix: 'rl:',
      clock,
    });
    try {
      for (let request = 0; request < 3; request += 1)
        assert.equal((await limiter.consume('g')).allowed, true);
      clock.advance(20_000);
      assert.deepEqual(await limiter.consume('g'), {
        allowed: false,
        limit: 3,
        remaining: 0,
        resetSeconds: 40,
      });
      assert.equal((await limiter.consume('other')).allowed, true, 'keys are counted apart');
      clock.advance(40_000);
      assert.equal((await limiter.consume('g')).allowed, true, 'a new window starts at the reset');
    } finally {
      limiter.close();
    }
  });

  it("counts other instances' requests from their next sync on", async () => {
    const clock = createManualClock();
    const store = createMemoryStore({ clock });
    const options = {
      maxRequests: 10,
      windowMs: WINDOW_MS,
      keyPrefix: 'rl:',
      clock,
      syncIntervalMs: SYNC_MS,
    };
    const first = createLocalFirstRateLimiter(store, options);
    const second = createLocalFirstRateLimiter(store, options);
    try {
      for (let request = 0; request < 6; request += 1) await first.consume('g');
      await first.flush();
      for (let request = 0; request < 4; request += 1)
        assert.equal((await second.consume('g')).allowed, true);
      assert.equal((await second.consume('g')).allowed, false, 'the 11th request of the window, over both');
    } finally {
      first.close();
      second.close();
    }
  });

  it('keeps counting in memory, and allows within the limit, while the store does not answer', async () => {
    const clock = createManualClock();
    const store = createMemoryStore({ clock });
    await store.close();
    const limiter = createLocalFirstRateLimiter(store, {
      maxRequests: 2,
      windowMs: WINDOW_MS,
      keyPrefix: 'rl:',
      clock,
    });
    try {
      assert.equal((await limiter.consume('g')).allowed, true);
      assert.equal((await limiter.consume('g')).allowed, true);
      assert.equal((await limiter.consume('g')).allowed, false, 'the limit still holds on this instance');
    } finally {
      limiter.close();
    }
  });
});
