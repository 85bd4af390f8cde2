import type { Clock } from '../../shared/clock.ts';
import { DependencyUnavailableError } from '../../http-kit/dependency-unavailable-error.ts';
import type { KeyValueStore } from '../key-value-store.ts';
import { runSync } from '../run-sync.ts';
import { wholeAmount, wholeTtlMs, wholeWindowMs } from '../ttl.ts';

export interface MemoryStoreOptions {
  clock: Clock;
}

type Entry =
  | { kind: 'value'; value: string; expiresAtMs: number | undefined }
  | { kind: 'set'; members: Set<string>; expiresAtMs: number | undefined };

/** Writes between two full sweeps, so keys that are never read again do not pile up. */
const WRITES_PER_SWEEP = 1_000;

/**
 * The port over one in-process Map: for unit tests and single-process tools.
 * Every operation runs synchronously inside its promise, so take,
 * setIfAbsent and compareAndSet are atomic by construction. Expiry follows the injected clock.
 */
export function createMemoryStore(options: MemoryStoreOptions): KeyValueStore {
  const { clock } = options;
  const entries = new Map<string, Entry>();
  let writesSinceSweep = 0;
  let closed = false;

  const isLive = (entry: Entry, nowMs: number): boolean =>
    entry.expiresAtMs === undefined || entry.expiresAtMs > nowMs;

  function assertOpen(): void {
    if (closed) throw new DependencyUnavailableError('store', 'The memory store is closed.');
  }

  /** The live entry under the key; an expired one is removed on the way. */
  function live(key: string): Entry | undefined {
    assertOpen();
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (isLive(entry, clock.nowMs())) return entry;
    entries.delete(key);
    return undefined;
  }

  function write(key: string, entry: Entry): void {
    entries.set(key, entry);
    writesSinceSweep += 1;
    if (writesSinceSweep < WRITES_PER_SWEEP) return;
    writesSinceSweep = 0;
    const nowMs = clock.nowMs();
    for (const [candidate, existing] of entries) {
      if (!isLive(existing, nowMs)) entries.delete(candidate);
    }
  }

  const expiryFor = (ttlMs: number | undefined): number | undefined => {
    const whole = wholeTtlMs(ttlMs);
    return whole === undefined ? undefined : clock.nowMs() + whole;
  };

  return {
    kind: 'memory',

    get: (key) =>
      runSync(() => {
        const entry = live(key);
        return entry?.kind === 'value' ? entry.value : undefined;
      }),

    set: (key, value, setOptions) =>
      runSync(() => {
        assertOpen();
        write(key, { kind: 'value', value, expiresAtMs: expiryFor(setOptions?.ttlMs) });
      }),

    setIfAbsent: (key, value, setOptions) =>
      runSync(() => {
        const expiresAtMs = expiryFor(setOptions?.ttlMs);
        if (live(key) !== undefined) return false;
        write(key, { kind: 'value', value, expiresAtMs });
        return true;
      }),

    compareAndSet: (key, expected, value, setOptions) =>
      runSync(() => {
        const expiresAtMs = expiryFor(setOptions?.ttlMs);
        const entry = live(key);
        if (entry?.kind !== 'value' || entry.value !== expected) return false;
        write(key, { kind: 'value', value, expiresAtMs });
        return true;
      }),

    take: (key) =>
      runSync(() => {
        const entry = live(key);
        if (entry?.kind !== 'value') return undefined;
        entries.delete(key);
        return entry.value;
      }),

    delete: (...keys) =>
      runSync(() => {
        assertOpen();
        for (const key of keys) entries.delete(key);
      }),

    addToSet: (key, member, setOptions) =>
      runSync(() => {
        const expiresAtMs = expiryFor(setOptions?.ttlMs);
        const entry = live(key);
        if (entry?.kind !== 'set') {
          write(key, { kind: 'set', members: new Set([member]), expiresAtMs });
          return 1;
        }
        entry.members.add(member);
        // "No TTL" means "keep until deleted", the longest lifetime of all.
        if (entry.expiresAtMs !== undefined) {
          entry.expiresAtMs =
            expiresAtMs === undefined ? undefined : Math.max(entry.expiresAtMs, expiresAtMs);
        }
        return entry.members.size;
      }),

    removeFromSet: (key, ...members) =>
      runSync(() => {
        const entry = live(key);
        if (entry?.kind !== 'set') return;
        for (const member of members) entry.members.delete(member);
        if (entry.members.size === 0) entries.delete(key);
      }),

    members: (key) =>
      runSync(() => {
        const entry = live(key);
        return entry?.kind === 'set' ? [...entry.members] : [];
      }),

    increment: (key, windowMs, amount) =>
      runSync(() => {
        const wholeWindow = wholeWindowMs(windowMs);
        const add = wholeAmount(amount);
        const nowMs = clock.nowMs();
        const entry = live(key);
        // A counter always carries its window; one without (written by set) starts a new window.
        if (entry?.kind === 'value' && entry.expiresAtMs !== undefined) {
          const count = Number(entry.value) + add;
          entry.value = String(count);
          return { count, resetInMs: entry.expiresAtMs - nowMs };
        }
        write(key, { kind: 'value', value: String(add), expiresAtMs: nowMs + wholeWindow });
        return { count: add, resetInMs: wholeWindow };
      }),

    async *keys(prefix) {
      const matching = await runSync(() => {
        assertOpen();
        const nowMs = clock.nowMs();
        return [...entries].filter(([key, entry]) => key.startsWith(prefix) && isLive(entry, nowMs));
      });
      for (const [key] of matching) yield key;
    },

    ping: () => runSync(assertOpen),

    close: () =>
      runSync(() => {
        closed = true;
        entries.clear();
      }),
  };
}
