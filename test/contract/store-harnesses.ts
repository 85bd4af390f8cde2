import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import type { RedisTopology } from '../../src/config/config.ts';
import type { KeyValueStore } from '../../src/store/key-value-store.ts';
import { createMemoryStore } from '../../src/store/memory/memory-store.ts';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { createRedisStore } from '../../src/store/redis/redis-store.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { systemClock, type Clock } from '../../src/shared/clock.ts';
import { redisUrlOrSkip, uniqueRedisPrefix } from '../support/redis.ts';
import { createManualClock, type ManualClock } from './manual-clock.ts';

/** One backend opened for one test, with what the contract needs to drive it. */
export interface StoreHarness {
  store: KeyValueStore;
  /** The clock the store runs on. */
  clock: Clock;
  /** Present when time is injected: expiry is then exact and instant. */
  manualClock: ManualClock | undefined;
  /** A TTL short enough to wait out: any value on a manual clock, ~30 ms on real time. */
  shortTtlMs: number;
  /** Lets store time pass: advances the manual clock, or (Redis, real time) waits. */
  elapse(ms: number): Promise<void>;
  /** Closes the store and opens the same data again; absent for a backend that does not persist. */
  reopen: (() => Promise<KeyValueStore>) | undefined;
  /** Closes whatever is open and removes what the test wrote. */
  cleanup(): Promise<void>;
}

export type OpenStoreForTest = (t: TestContext) => Promise<StoreHarness | undefined>;

export const openMemoryForTest: OpenStoreForTest = () => {
  const clock = createManualClock();
  const store = createMemoryStore({ clock });
  return Promise.resolve({
    store,
    clock,
    manualClock: clock,
    shortTtlMs: 1_000,
    elapse: (ms) => Promise.resolve(clock.advance(ms)),
    reopen: undefined,
    cleanup: () => store.close(),
  });
};

export const openSqliteForTest: OpenStoreForTest = async () => {
  const clock = createManualClock();
  const directory = await mkdtemp(join(tmpdir(), 'store-contract-'));
  const path = join(directory, 'nested', 'store.db');
  const opened: KeyValueStore[] = [createSqliteStore({ path, clock })];
  return {
    store: opened[0]!,
    clock,
    manualClock: clock,
    shortTtlMs: 1_000,
    elapse: (ms) => Promise.resolve(clock.advance(ms)),
    async reopen() {
      await opened.at(-1)!.close();
      const again = createSqliteStore({ path, clock });
      opened.push(again);
      return again;
    },
    async cleanup() {
      for (const store of opened) await store.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
};

/** Real Redis keeps real time: TTLs of ~30 ms and short waits, the one place tests sleep. */
export function openRedisTopologyForTest(
  label: string,
  topologyFor: (t: TestContext) => Promise<RedisTopology | undefined>,
): OpenStoreForTest {
  return async (t) => {
    const topology = await topologyFor(t);
    if (topology === undefined) return undefined;
    const keyPrefix = uniqueRedisPrefix(label);
    const open = () =>
      createRedisStore({ topology, keyPrefix, tlsRejectUnauthorized: true, logger: silentLogger });
    const opened: KeyValueStore[] = [await open()];
    return {
      store: opened[0]!,
      clock: systemClock,
      manualClock: undefined,
      shortTtlMs: 30,
      elapse: (ms) => sleep(ms),
      async reopen() {
        await opened.at(-1)!.close();
        const again = await open();
        opened.push(again);
        return again;
      },
      async cleanup() {
        for (const store of opened) await store.close();
        // A fresh connection: the test may have closed its own. Only this run's prefix is touched.
        const cleaner = await open();
        const written: string[] = [];
        for await (const key of cleaner.keys('')) written.push(key);
        if (written.length > 0) await cleaner.delete(...written);
        await cleaner.close();
      },
    };
  };
}

export const openRedisForTest: OpenStoreForTest = openRedisTopologyForTest('store', async (t) => {
  const url = await redisUrlOrSkip(t);
  return url === undefined ? undefined : { kind: 'single', url };
});

/** Opens a harness for one test and always cleans up; a skipped backend runs nothing. */
export async function withHarness(
  t: TestContext,
  open: OpenStoreForTest,
  body: (harness: StoreHarness) => Promise<void>,
): Promise<void> {
  const harness = await open(t);
  if (harness === undefined) return;
  try {
    await body(harness);
  } finally {
    await harness.cleanup();
  }
}

export const STORE_BACKENDS: ReadonlyArray<readonly [string, OpenStoreForTest]> = [
  ['memory', openMemoryForTest],
  ['sqlite', openSqliteForTest],
  ['redis', openRedisForTest],
];
