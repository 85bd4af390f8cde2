import { constantTimeEqual } from '../shared/crypto.ts';

/** What is kept besides the verifier so the code exchange repeats the authorization request exactly. */
export interface PKCEStateDetails {
  /** The exact `redirect_uri` sent in the authorization request (RFC 6749 §4.1.3). */
  readonly redirectUri: string;
}

/** What a storage hook hands back for a pending login. */
export interface StoredPKCEState extends PKCEStateDetails {
  /** The PKCE `code_verifier` (RFC 7636 §4.1). */
  readonly codeVerifier: string;
}

/**
 * Where pending logins wait between the redirect to the IdP and its callback.
 *
 * The method names, argument order and units are those of the `PKCEStorageHook`
 * of `@heroku/oauth-provider-adapters-for-mcp`, so a hook written for it works
 * here unchanged: timestamps are epoch milliseconds, the entry is keyed by
 * `interactionId` (this client passes its `state` as both the interaction id and
 * the state), and `retrievePKCEState` answers `null` when the entry is missing,
 * expired or was stored for another `state`.
 *
 * Two additions, both optional for an implementer: `storePKCEState` receives a
 * fifth `details` argument (the exact redirect URI), and `retrievePKCEState`
 * may return it with the verifier as a {@link StoredPKCEState}. A hook that
 * returns only the verifier string still works; the client then uses its
 * configured redirect URI.
 *
 * Retrieval should be single use (delete what it returns): the hooks in this
 * module are, so a replayed callback finds nothing.
 */
export interface PKCEStorageHook {
  /**
   * Saves a pending login.
   * @param interactionId - The key (this client passes the OAuth `state`).
   * @param state - The OAuth `state` sent to the IdP.
   * @param codeVerifier - The PKCE verifier: a secret, never log it.
   * @param expiresAt - Epoch milliseconds after which the entry is worthless.
   * @param details - The exact redirect URI used.
   */
  storePKCEState(
    interactionId: string,
    state: string,
    codeVerifier: string,
    expiresAt: number,
    details: PKCEStateDetails,
  ): Promise<void>;

  /**
   * Returns (and should delete) the pending login for `interactionId` when it
   * exists, has not expired and was stored for `state`; `null` otherwise.
   */
  retrievePKCEState(interactionId: string, state: string): Promise<string | StoredPKCEState | null>;

  /** Deletes entries that expired before `beforeTimestamp` (epoch milliseconds). */
  cleanupExpiredState(beforeTimestamp: number): Promise<void>;
}

/** The serialised form the hooks of this module keep. */
export interface PendingLoginRecord extends StoredPKCEState {
  readonly state: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

/** Parses a stored record, or `undefined` when it is not one (corrupt, foreign, older format). */
export function parsePendingLoginRecord(text: string): PendingLoginRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const { state, codeVerifier, redirectUri, expiresAt } = record;
  if (typeof state !== 'string' || typeof codeVerifier !== 'string' || typeof redirectUri !== 'string')
    return undefined;
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return undefined;
  return { state, codeVerifier, redirectUri, expiresAt };
}

/**
 * The checks every hook makes on what it took: stored for this `state`
 * (compared in constant time) and not yet expired.
 */
export function acceptPendingLogin(
  record: PendingLoginRecord | undefined,
  state: string,
  nowMs: number,
): StoredPKCEState | null {
  if (record === undefined || !constantTimeEqual(record.state, state) || record.expiresAt <= nowMs)
    return null;
  return { codeVerifier: record.codeVerifier, redirectUri: record.redirectUri };
}
