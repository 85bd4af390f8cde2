import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { DependencyUnavailableError } from '../../src/http-kit/dependency-unavailable-error.ts';
import type { KeyValueStore } from '../../src/store/key-value-store.ts';
import { withHarness, type OpenStoreForTest, type StoreHarness } from './store-harnesses.ts';

/** A TTL no test outlives, for "this one must still be there". */
const LONG_TTL_MS = 60_000;
const CONCURRENT_CALLERS = 20;

async function collect(keys: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const key of keys) all.push(key);
  return all.sort();
}

/** Waits out a short TTL with room to spare (exact on a manual clock, generous on real time). */
const outlive = (harness: StoreHarness): Promise<void> => harness.elapse(harness.shortTtlMs * 3);

/**
 * The behaviour every KeyValueStore backend must show (style.md rule 9): a
 * backend is done when it passes this suite.
 */
export function describeStoreContract(name: string, openStoreForTest: OpenStoreForTest): void {
  const test = (
    title: string,
    body: (harness: StoreHarness, store: KeyValueStore, t: TestContext) => Promise<void>,
  ): void => {
    it(title, (t) => withHarness(t, openStoreForTest, (harness) => body(harness, harness.store, t)));
  };

  describe(`KeyValueStore contract: ${name}`, () => {
    test('get returns what set wrote and undefined for a key never written', async (_h, store) => {
      await store.set('greeting', 'hello');
      assert.equal(await store.get('greeting'), 'hello');
      assert.equal(await store.get('missing'), undefined);
    });

    test('set overwrites, and delete removes values and sets, several at once', async (_h, store) => {
      await store.set('a', '1');
      await store.set('a', '2');
      assert.equal(await store.get('a'), '2');
      await store.set('b', '3');
      await store.addToSet('s', 'member');
      await store.delete('a', 'b', 's', 'never-written');
      await store.delete();
      assert.equal(await store.get('a'), undefined);
      assert.equal(await store.get('b'), undefined);
      assert.deepEqual(await store.members('s'), []);
    });

    test('a value disappears once its TTL has passed while one with a longer or no TTL stays', async (h, store) => {
      await store.set('short', 'x', { ttlMs: h.shortTtlMs });
      await store.set('long', 'y', { ttlMs: LONG_TTL_MS });
      await store.set('forever', 'z');
      if (h.manualClock) {
        h.manualClock.advance(h.shortTtlMs - 1);
        assert.equal(await store.get('short'), 'x', 'still there 1 ms before its expiry');
        h.manualClock.advance(1);
        assert.equal(await store.get('short'), undefined, 'gone at its expiry');
      }
      await outlive(h);
      assert.equal(await store.get('short'), undefined);
      assert.equal(await store.get('long'), 'y');
      assert.equal(await store.get('forever'), 'z');
    });

    test('setIfAbsent lets exactly one of 20 concurrent callers win, and keeps its value', async (_h, store) => {
      const results = await Promise.all(
        Array.from({ length: CONCURRENT_CALLERS }, (_, i) => store.setIfAbsent('lock', `caller-${i}`)),
      );
      const winners = results.flatMap((won, i) => (won ? [i] : []));
      assert.equal(winners.length, 1);
      assert.equal(await store.get('lock'), `caller-${winners[0]}`);
      assert.equal(await store.setIfAbsent('lock', 'late'), false);
    });

    test('setIfAbsent wins again once the held value has expired', async (h, store) => {
      assert.equal(await store.setIfAbsent('lock', 'first', { ttlMs: h.shortTtlMs }), true);
      assert.equal(await store.setIfAbsent('lock', 'too-early', { ttlMs: LONG_TTL_MS }), false);
      await outlive(h);
      assert.equal(await store.setIfAbsent('lock', 'second', { ttlMs: LONG_TTL_MS }), true);
      assert.equal(await store.get('lock'), 'second');
    });

    test('compareAndSet writes only over the value it expects, never over another or a missing one', async (_h, store) => {
      await store.set('record', 'v1');
      assert.equal(await store.compareAndSet('record', 'v0', 'stale'), false);
      assert.equal(await store.get('record'), 'v1');
      assert.equal(await store.compareAndSet('record', 'v1', 'v2'), true);
      assert.equal(await store.get('record'), 'v2');
      assert.equal(await store.compareAndSet('missing', 'v1', 'v2'), false);
      assert.equal(await store.get('missing'), undefined, 'a missing key is not created');
    });

    test('compareAndSet lets exactly one of 20 concurrent callers that read the same value win', async (_h, store) => {
      await store.set('record', 'unspent');
      const results = await Promise.all(
        Array.from({ length: CONCURRENT_CALLERS }, (_, i) =>
          store.compareAndSet('record', 'unspent', `spent-by-${i}`),
        ),
      );
      const winners = results.flatMap((won, i) => (won ? [i] : []));
      assert.equal(winners.length, 1);
      assert.equal(await store.get('record'), `spent-by-${winners[0]}`);
    });

    test('compareAndSet gives the value the TTL it is given, and never revives an expired value', async (h, store) => {
      await store.set('short', 'v1', { ttlMs: LONG_TTL_MS });
      assert.equal(await store.compareAndSet('short', 'v1', 'v2', { ttlMs: h.shortTtlMs }), true);
      await store.set('kept', 'v1', { ttlMs: h.shortTtlMs });
      assert.equal(await store.compareAndSet('kept', 'v1', 'v2'), true, 'no TTL: keep until deleted');
      await store.set('expiring', 'v1', { ttlMs: h.shortTtlMs });
      await outlive(h);
      assert.equal(await store.get('short'), undefined);
      assert.equal(await store.get('kept'), 'v2');
      assert.equal(await store.compareAndSet('expiring', 'v1', 'v2', { ttlMs: LONG_TTL_MS }), false);
      assert.equal(await store.get('expiring'), undefined);
    });

    test('take gives the value to exactly one of 20 concurrent callers and removes it', async (_h, store) => {
      await store.set('code', 'secret-value');
      const results = await Promise.all(Array.from({ length: CONCURRENT_CALLERS }, () => store.take('code')));
      assert.deepEqual(
        results.filter((value) => value !== undefined),
        ['secret-value'],
      );
      assert.equal(await store.get('code'), undefined);
    });

    test('take of a missing or expired key returns undefined', async (h, store) => {
      await store.set('expiring', 'x', { ttlMs: h.shortTtlMs });
      await outlive(h);
      assert.equal(await store.take('expiring'), undefined);
      assert.equal(await store.take('missing'), undefined);
    });

    test('addToSet collects distinct members and members of a missing set is empty', async (_h, store) => {
      await store.addToSet('s', 'a');
      await store.addToSet('s', 'b');
      await store.addToSet('s', 'a');
      assert.deepEqual((await store.members('s')).sort(), ['a', 'b']);
      assert.deepEqual(await store.members('no-such-set'), []);
    });

    test('addToSet resolves to the number of members after the add, counting a member once', async (_h, store) => {
      assert.equal(await store.addToSet('s', 'a', { ttlMs: LONG_TTL_MS }), 1);
      assert.equal(await store.addToSet('s', 'b', { ttlMs: LONG_TTL_MS }), 2);
      assert.equal(await store.addToSet('s', 'a'), 2);
      assert.equal(await store.addToSet('other', 'a'), 1);
    });

    test('removeFromSet removes the named members and keeps the others', async (_h, store) => {
      for (const member of ['a', 'b', 'c', 'd']) await store.addToSet('s', member, { ttlMs: LONG_TTL_MS });
      await store.removeFromSet('s', 'a', 'c', 'never-a-member');
      await store.removeFromSet('s');
      await store.removeFromSet('no-such-set', 'a');
      assert.deepEqual((await store.members('s')).sort(), ['b', 'd']);
      assert.equal(await store.addToSet('s', 'e', { ttlMs: LONG_TTL_MS }), 3);
    });

    test('a set that removeFromSet empties is gone, and an add afterwards starts it afresh', async (_h, store) => {
      await store.addToSet('app:s', 'a');
      await store.addToSet('app:s', 'b');
      await store.removeFromSet('app:s', 'a', 'b');
      assert.deepEqual(await store.members('app:s'), []);
      assert.deepEqual(await collect(store.keys('app:')), []);
      assert.equal(await store.addToSet('app:s', 'c', { ttlMs: LONG_TTL_MS }), 1);
      assert.deepEqual(await store.members('app:s'), ['c']);
    });

    test('removeFromSet leaves the TTL of the set as it was', async (h, store) => {
      await store.addToSet('s', 'a', { ttlMs: h.shortTtlMs });
      await store.addToSet('s', 'b', { ttlMs: h.shortTtlMs });
      await store.removeFromSet('s', 'a');
      assert.deepEqual(await store.members('s'), ['b']);
      await outlive(h);
      assert.deepEqual(await store.members('s'), []);
    });

    test('a longer TTL given to addToSet extends the whole set', async (h, store) => {
      await store.addToSet('s', 'a', { ttlMs: h.shortTtlMs });
      await store.addToSet('s', 'b', { ttlMs: LONG_TTL_MS });
      await outlive(h);
      assert.deepEqual((await store.members('s')).sort(), ['a', 'b']);
    });

    test('a shorter TTL given to addToSet never shortens the set', async (h, store) => {
      await store.addToSet('s', 'a', { ttlMs: LONG_TTL_MS });
      await store.addToSet('s', 'b', { ttlMs: h.shortTtlMs });
      await store.addToSet('persistent', 'a');
      await store.addToSet('persistent', 'b', { ttlMs: h.shortTtlMs });
      await outlive(h);
      assert.deepEqual((await store.members('s')).sort(), ['a', 'b']);
      assert.deepEqual((await store.members('persistent')).sort(), ['a', 'b']);
    });

    test('a set expires with its TTL and a member added afterwards starts a fresh set', async (h, store) => {
      await store.addToSet('s', 'old', { ttlMs: h.shortTtlMs });
      await outlive(h);
      assert.deepEqual(await store.members('s'), []);
      await store.addToSet('s', 'new', { ttlMs: LONG_TTL_MS });
      assert.deepEqual(await store.members('s'), ['new']);
    });

    test('increment counts hits within one window and reports the time left', async (h, store) => {
      const first = await store.increment('hits', LONG_TTL_MS);
      assert.equal(first.count, 1);
      assert.ok(first.resetInMs > 0 && first.resetInMs <= LONG_TTL_MS, `resetInMs ${first.resetInMs}`);
      h.manualClock?.advance(10_000);
      const second = await store.increment('hits', LONG_TTL_MS);
      assert.equal(second.count, 2);
      assert.ok(second.resetInMs > 0 && second.resetInMs <= first.resetInMs, 'the window end does not move');
      if (h.manualClock) assert.equal(second.resetInMs, LONG_TTL_MS - 10_000);
    });

    test('increment starts a new window at 1 once the previous window has ended', async (h, store) => {
      await store.increment('hits', h.shortTtlMs);
      await store.increment('hits', h.shortTtlMs);
      await outlive(h);
      const fresh = await store.increment('hits', LONG_TTL_MS);
      assert.equal(fresh.count, 1);
      assert.ok(fresh.resetInMs > h.shortTtlMs, 'the new window has the new length');
    });

    test('increment hands out each count once under 20 concurrent callers', async (_h, store) => {
      const results = await Promise.all(
        Array.from({ length: CONCURRENT_CALLERS }, () => store.increment('hits', LONG_TTL_MS)),
      );
      const counts = results.map((result) => result.count).sort((a, b) => a - b);
      assert.deepEqual(
        counts,
        Array.from({ length: CONCURRENT_CALLERS }, (_, i) => i + 1),
      );
    });

    test('keys lists the live keys under a prefix, skipping expired ones and other prefixes', async (h, store) => {
      await store.set('app:a', '1');
      await store.set('app:b', '2', { ttlMs: LONG_TTL_MS });
      await store.addToSet('app:set', 'm', { ttlMs: LONG_TTL_MS });
      await store.set('app:expiring', '3', { ttlMs: h.shortTtlMs });
      await store.addToSet('app:expiring-set', 'm', { ttlMs: h.shortTtlMs });
      await store.set('other:a', '4');
      await store.set('ap', '5');
      await outlive(h);
      assert.deepEqual(await collect(store.keys('app:')), ['app:a', 'app:b', 'app:set']);
      assert.deepEqual(await collect(store.keys('')), ['ap', 'app:a', 'app:b', 'app:set', 'other:a']);
    });

    test('keys reads glob and LIKE characters in the prefix literally', async (_h, store) => {
      await store.set('a*[x]?%_:1', '1');
      await store.set('ab[x]?%_:2', '2');
      await store.set('a*[x]?%_', '3');
      assert.deepEqual(await collect(store.keys('a*[x]?%_:')), ['a*[x]?%_:1']);
    });

    test('values, sets and counters survive closing and reopening the store', async (h, _store, t) => {
      if (h.reopen === undefined) {
        t.skip(`${name} does not persist`);
        return;
      }
      await h.store.set('kept', 'value');
      await h.store.set('kept-with-ttl', 'value', { ttlMs: LONG_TTL_MS });
      await h.store.addToSet('kept-set', 'member', { ttlMs: LONG_TTL_MS });
      await h.store.increment('kept-counter', LONG_TTL_MS);
      const reopened = await h.reopen();
      assert.equal(await reopened.get('kept'), 'value');
      assert.equal(await reopened.get('kept-with-ttl'), 'value');
      assert.deepEqual(await reopened.members('kept-set'), ['member']);
      assert.equal((await reopened.increment('kept-counter', LONG_TTL_MS)).count, 2);
    });

    test('ping resolves while open and rejects with DependencyUnavailableError after close', async (_h, store) => {
      await store.ping();
      await store.close();
      await store.close();
      await assert.rejects(store.ping(), DependencyUnavailableError);
      await assert.rejects(store.get('any'), DependencyUnavailableError);
    });

    test('a TTL or window that is not a positive number is rejected', async (_h, store) => {
      await assert.rejects(store.set('k', 'v', { ttlMs: 0 }), RangeError);
      await assert.rejects(store.setIfAbsent('k', 'v', { ttlMs: -5 }), RangeError);
      await assert.rejects(store.compareAndSet('k', 'v', 'w', { ttlMs: 0 }), RangeError);
      await assert.rejects(store.addToSet('k', 'v', { ttlMs: Number.NaN }), RangeError);
      await assert.rejects(store.increment('k', 0), RangeError);
      assert.equal(await store.get('k'), undefined);
    });
  });
}
