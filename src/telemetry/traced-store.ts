import { context, trace, type Tracer } from '@opentelemetry/api';
import { inSpan } from './in-span.ts';
import type { KeyValueStore } from '../store/index.ts';
import { DB_COLLECTION_NAME, DB_OPERATION_NAME, DB_SYSTEM_NAME } from './semantic-attributes.ts';

/**
 * The store port with a CLIENT span per call (database semconv: `db.system.name`,
 * `db.operation.name`, `db.collection.name`), made only inside a span that
 * records: background work (rate-limit syncs, invalidation polling) adds no
 * trace of its own, and a request served from the caches adds no store span.
 * The key is never recorded, since some keys are credentials (oidc-provider's
 * opaque token ids); only its kind, the part before the first `:`
 * (`AccessToken`, `upstream-tokens`), names the collection.
 */
export function traceStore(store: KeyValueStore, tracer: Tracer): KeyValueStore {
  const system = store.kind;

  function traced<T>(operation: string, key: string | undefined, run: () => Promise<T>): Promise<T> {
    const parent = context.active();
    const parentSpan = trace.getSpan(parent);
    if (parentSpan === undefined || !parentSpan.isRecording()) return run();
    const separator = key === undefined ? -1 : key.indexOf(':');
    const collection = separator > 0 ? key!.slice(0, separator) : undefined;
    const attributes = {
      [DB_SYSTEM_NAME]: system,
      [DB_OPERATION_NAME]: operation,
      ...(collection === undefined ? {} : { [DB_COLLECTION_NAME]: collection }),
    };
    return inSpan(
      tracer,
      collection === undefined ? operation : `${operation} ${collection}`,
      'client',
      attributes,
      run,
    );
  }

  return {
    kind: store.kind,
    get: (key) => traced('get', key, () => store.get(key)),
    set: (key, value, options) => traced('set', key, () => store.set(key, value, options)),
    setIfAbsent: (key, value, options) =>
      traced('setIfAbsent', key, () => store.setIfAbsent(key, value, options)),
    compareAndSet: (key, expected, value, options) =>
      traced('compareAndSet', key, () => store.compareAndSet(key, expected, value, options)),
    take: (key) => traced('take', key, () => store.take(key)),
    delete: (...keys) => traced('delete', keys[0], () => store.delete(...keys)),
    addToSet: (key, member, options) => traced('addToSet', key, () => store.addToSet(key, member, options)),
    removeFromSet: (key, ...members) =>
      traced('removeFromSet', key, () => store.removeFromSet(key, ...members)),
    members: (key) => traced('members', key, () => store.members(key)),
    increment: (key, windowMs, amount) =>
      traced('increment', key, () => store.increment(key, windowMs, amount)),
    keys: (prefix) => store.keys(prefix),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
