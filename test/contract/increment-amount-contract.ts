/**
 * KeyValueStore.increment's optional amount, on every backend: a rate limiter
 * that counts locally adds its count in one call (src/http-kit/local-first-rate-limiter.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withHarness, type OpenStoreForTest } from './store-harnesses.ts';

const LONG_WINDOW_MS = 60_000;

/** KeyValueStore.increment's amount on one backend. */
export function describeIncrementAmountContract(name: string, open: OpenStoreForTest): void {
  describe(`KeyValueStore increment amount: ${name}`, () => {
    it('adds the amount to the count of the current window and keeps its end', (t) =>
      withHarness(t, open, async (h) => {
        const first = await h.store.increment('hits', LONG_WINDOW_MS, 5);
        assert.equal(first.count, 5);
        h.manualClock?.advance(1_000);
        const second = await h.store.increment('hits', LONG_WINDOW_MS, 3);
        assert.equal(second.count, 8);
        assert.ok(second.resetInMs <= first.resetInMs, 'the window end does not move');
        assert.equal((await h.store.increment('hits', LONG_WINDOW_MS)).count, 9, 'the default amount is 1');
      }));

    it('starts a new window at the amount once the previous one has ended', (t) =>
      withHarness(t, open, async (h) => {
        await h.store.increment('hits', h.shortTtlMs, 7);
        await h.elapse(h.shortTtlMs * 3);
        const fresh = await h.store.increment('hits', LONG_WINDOW_MS, 4);
        assert.equal(fresh.count, 4);
      }));

    it('adds concurrent amounts without losing any', (t) =>
      withHarness(t, open, async (h) => {
        const amounts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        const results = await Promise.all(
          amounts.map((amount) => h.store.increment('hits', LONG_WINDOW_MS, amount)),
        );
        assert.equal(Math.max(...results.map((result) => result.count)), 55);
      }));

    it('refuses an amount that is not a positive integer', (t) =>
      withHarness(t, open, async (h) => {
        for (const amount of [0, -1, 1.5, Number.NaN]) {
          await assert.rejects(h.store.increment('hits', LONG_WINDOW_MS, amount), RangeError);
        }
      }));
  });
}
