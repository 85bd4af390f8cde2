import { systemClock, type Clock } from '../shared/clock.ts';
import { IdentityConfigurationError } from './identity-provider-error.ts';
import { acceptPendingLogin, type PendingLoginRecord, type PKCEStorageHook } from './storage-hook.ts';

/** Options of {@link createMemoryStorageHook}. */
export interface MemoryStorageHookOptions {
  /** The NODE_ENV in force; `production` makes creation fail. */
  readonly nodeEnv?: string | undefined;
  readonly clock?: Clock | undefined;
  /** The most pending logins kept; the oldest is dropped beyond it. Default 10 000. */
  readonly maxEntries?: number | undefined;
}

const DEFAULT_MAX_PENDING_LOGINS = 10_000;

/**
 * A {@link PKCEStorageHook} in process memory, for development and tests.
 *
 * It refuses to be created when `nodeEnv` is `production`, as the Heroku
 * adapter does: with several processes (or a restart between redirect and
 * callback) a login would fail at random. Retrieval is single use, expired
 * entries are swept on every store, and the map is bounded so that a flood of
 * abandoned logins cannot grow it without limit.
 *
 * @throws IdentityConfigurationError when `nodeEnv` is `production`.
 */
export function createMemoryStorageHook(options: MemoryStorageHookOptions = {}): PKCEStorageHook {
  if (options.nodeEnv === 'production') {
    throw new IdentityConfigurationError([
      'storageHook is required when NODE_ENV=production: in-memory PKCE storage loses logins across processes and restarts',
    ]);
  }
  const clock = options.clock ?? systemClock;
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_PENDING_LOGINS;
  const entries = new Map<string, PendingLoginRecord>();

  const sweep = (beforeMs: number): void => {
    for (const [key, record] of entries) if (record.expiresAt < beforeMs) entries.delete(key);
  };

  return {
    storePKCEState(interactionId, state, codeVerifier, expiresAt, details) {
      sweep(clock.nowMs());
      entries.delete(interactionId);
      // Map iteration follows insertion order, so the first key is the oldest.
      while (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done === true) break;
        entries.delete(oldest.value);
      }
      entries.set(interactionId, { state, codeVerifier, expiresAt, redirectUri: details.redirectUri });
      return Promise.resolve();
    },
    retrievePKCEState(interactionId, state) {
      const record = entries.get(interactionId);
      entries.delete(interactionId);
      return Promise.resolve(acceptPendingLogin(record, state, clock.nowMs()));
    },
    cleanupExpiredState(beforeTimestamp) {
      sweep(beforeTimestamp);
      return Promise.resolve();
    },
  };
}
