import type { KeyValueStore } from '../store/index.ts';

/** A stored payload's field, when it has the expected type (records are written by oidc-provider). */
export const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
export const seconds = (value: unknown): number | undefined =>
  typeof value === 'number' ? value : undefined;

/** The ids of the records keyed `<prefix><id>`. */
export async function* idsWithPrefix(store: KeyValueStore, prefix: string): AsyncGenerator<string> {
  for await (const key of store.keys(prefix)) yield key.slice(prefix.length);
}
