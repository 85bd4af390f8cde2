import type { Clock } from '../shared/clock.ts';
import { createOidcAdapterFactory, type KeyValueStore } from '../store/index.ts';

/** Names of this many clients are kept: hosted clients are few, and each entry is two short strings. */
const MAX_CLIENT_NAMES = 1_000;
/** A client may change its name (RFC 7592); an hour-old name is good enough for an audit line. */
const CLIENT_NAME_TTL_MS = 60 * 60 * 1000;
/** A store that does not answer delays audit lines this long at most; the name is then left out. */
const CLIENT_NAME_LOOKUP_TIMEOUT_MS = 2_000;

/** Reads a client's registered name from wherever clients are kept. */
export type FindClientName = (clientId: string) => Promise<string | undefined>;

/** The `client_name` of the `Client:<id>` record (docs/storage-schema.md), read as the proxy stores it. */
export function storedClientName(store: KeyValueStore): FindClientName {
  const clients = createOidcAdapterFactory(store)('Client');
  return async (clientId) => {
    const name = (await clients.find(clientId))?.['client_name'];
    return typeof name === 'string' ? name : undefined;
  };
}

/**
 * Client names for audit records whose event knows only the client id. Names
 * seen in events (registration, confirmation, sign-in) are remembered, so a
 * client's token records need no lookup; a miss reads the store once, shared
 * by every record waiting for that client, and is remembered too, bounded in
 * count and age. A lookup never fails: an unknown name is left out.
 */
export class ClientNames {
  readonly #find: FindClientName;
  readonly #clock: Clock;
  readonly #entries = new Map<
    string,
    { name: Promise<string | undefined> | string | undefined; expiresAtMs: number }
  >();

  constructor(find: FindClientName, clock: Clock) {
    this.#find = find;
    this.#clock = clock;
  }

  remember(clientId: string, name: string): void {
    this.#set(clientId, name);
  }

  /** The name at once when known, else a promise of it. */
  nameOf(clientId: string): string | undefined | Promise<string | undefined> {
    const entry = this.#entries.get(clientId);
    if (entry !== undefined && entry.expiresAtMs > this.#clock.nowMs()) return entry.name;
    const lookup = withTimeout(this.#find(clientId)).then(
      (name) => {
        // A name remembered from an event meanwhile is as good, and newer.
        if (this.#entries.get(clientId)?.name === lookup) this.#set(clientId, name);
        return name;
      },
      () => {
        if (this.#entries.get(clientId)?.name === lookup) this.#entries.delete(clientId);
        return undefined;
      },
    );
    this.#set(clientId, lookup);
    return lookup;
  }

  #set(clientId: string, name: Promise<string | undefined> | string | undefined): void {
    this.#entries.delete(clientId);
    this.#entries.set(clientId, { name, expiresAtMs: this.#clock.nowMs() + CLIENT_NAME_TTL_MS });
    if (this.#entries.size > MAX_CLIENT_NAMES) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error('client name lookup timed out')),
      CLIENT_NAME_LOOKUP_TIMEOUT_MS,
    );
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
