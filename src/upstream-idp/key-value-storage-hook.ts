import { systemClock, type Clock } from '../shared/clock.ts';
import { open, seal, sha256Base64Url } from '../shared/crypto.ts';
import type { KeyValueStore } from '../store/key-value-store.ts';
import {
  acceptPendingLogin,
  parsePendingLoginRecord,
  type PendingLoginRecord,
  type PKCEStorageHook,
} from './storage-hook.ts';

/** Options of {@link createKeyValueStorageHook}. */
export interface KeyValueStorageHookOptions {
  /** Prefix of every key this hook writes. Default `upstream-idp:pkce:`. */
  readonly keyPrefix?: string | undefined;
  readonly clock?: Clock | undefined;
  /**
   * A 32-byte key; when given, records are sealed with AES-256-GCM (bound to
   * their storage key) so that the store never holds a verifier in clear.
   */
  readonly encryptionKey?: Buffer | undefined;
}

/**
 * The part of the {@link KeyValueStore} port this hook uses, so that a library
 * user can plug in any store with a TTL write and an atomic read-and-delete
 * (Redis `SET ... PX` and `GETDEL`) without implementing the whole port.
 */
export type KeyValueStorageHookStore = Pick<KeyValueStore, 'set' | 'take'>;

const DEFAULT_KEY_PREFIX = 'upstream-idp:pkce:';

/**
 * A {@link PKCEStorageHook} on the proxy's {@link KeyValueStore} port (SQLite,
 * Redis or memory), safe with several processes.
 *
 * - Keys are the SHA-256 of the interaction id, so a caller-chosen id can never
 *   address another key family.
 * - Entries carry the store's TTL, so nothing outlives its expiry and
 *   `cleanupExpiredState` has nothing to do.
 * - Retrieval is the store's atomic `take`: of two concurrent callbacks for
 *   the same login, exactly one gets the verifier.
 */
export function createKeyValueStorageHook(
  store: KeyValueStorageHookStore,
  options: KeyValueStorageHookOptions = {},
): PKCEStorageHook {
  const clock = options.clock ?? systemClock;
  const prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  const encryptionKey = options.encryptionKey;
  const keyFor = (interactionId: string): string => prefix + sha256Base64Url(interactionId);

  const encode = (key: string, record: PendingLoginRecord): string => {
    const text = JSON.stringify(record);
    return encryptionKey === undefined ? text : seal(encryptionKey, text, key);
  };
  const decode = (key: string, stored: string): PendingLoginRecord | undefined => {
    if (encryptionKey === undefined) return parsePendingLoginRecord(stored);
    try {
      return parsePendingLoginRecord(open(encryptionKey, stored, key));
    } catch {
      return undefined;
    }
  };

  return {
    async storePKCEState(interactionId, state, codeVerifier, expiresAt, details) {
      const ttlMs = Math.max(1, Math.ceil(expiresAt - clock.nowMs()));
      const key = keyFor(interactionId);
      await store.set(
        key,
        encode(key, { state, codeVerifier, expiresAt, redirectUri: details.redirectUri }),
        {
          ttlMs,
        },
      );
    },
    async retrievePKCEState(interactionId, state) {
      const key = keyFor(interactionId);
      const stored = await store.take(key);
      if (stored === undefined) return null;
      return acceptPendingLogin(decode(key, stored), state, clock.nowMs());
    },
    cleanupExpiredState() {
      // The store's TTL removes expired entries; there is nothing to sweep.
      return Promise.resolve();
    },
  };
}
