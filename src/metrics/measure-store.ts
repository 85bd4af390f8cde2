import type { KeyValueStore } from '../store/index.ts';
import type { ProxyMetrics } from './proxy-metrics.ts';

export type StoreOperation = Exclude<keyof KeyValueStore, 'kind' | 'keys' | 'close'>;

/**
 * The store with each call timed and each failure counted, by operation.
 * Applied only when metrics are on; a call costs one pair of clock reads
 * and one histogram observation more. `keys` (operator tooling, an
 * iterator) and `close` pass through unmeasured.
 */
export function measureStore(
  store: KeyValueStore,
  metrics: Pick<ProxyMetrics, 'storeDuration' | 'storeErrors'>,
): KeyValueStore {
  const measured = <A extends unknown[], R>(
    operation: StoreOperation,
    call: (...args: A) => Promise<R>,
  ): ((...args: A) => Promise<R>) => {
    const labels = { operation };
    const duration = metrics.storeDuration.series(operation);
    // Zero from the start, so that an error ratio has a series before the first error.
    metrics.storeErrors.inc(labels, 0);
    return async (...args) => {
      const startedMs = performance.now();
      try {
        return await call(...args);
      } catch (error) {
        metrics.storeErrors.inc(labels);
        throw error;
      } finally {
        duration.observe((performance.now() - startedMs) / 1000);
      }
    };
  };
  return {
    kind: store.kind,
    get: measured('get', (key) => store.get(key)),
    set: measured('set', (key, value, options) => store.set(key, value, options)),
    setIfAbsent: measured('setIfAbsent', (key, value, options) => store.setIfAbsent(key, value, options)),
    compareAndSet: measured('compareAndSet', (key, expected, value, options) =>
      store.compareAndSet(key, expected, value, options),
    ),
    take: measured('take', (key) => store.take(key)),
    delete: measured('delete', (...keys) => store.delete(...keys)),
    addToSet: measured('addToSet', (key, member, options) => store.addToSet(key, member, options)),
    removeFromSet: measured('removeFromSet', (key, ...members) => store.removeFromSet(key, ...members)),
    members: measured('members', (key) => store.members(key)),
    increment: measured('increment', (key, windowMs, amount) => store.increment(key, windowMs, amount)),
    keys: (prefix) => store.keys(prefix),
    ping: measured('ping', () => store.ping()),
    close: () => store.close(),
  };
}
