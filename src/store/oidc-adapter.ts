import type { Adapter, AdapterPayload } from 'oidc-provider';
import { nowSeconds, systemClock, type Clock } from '../shared/clock.ts';
import { open, seal, sha256Base64Url } from '../shared/crypto.ts';
import { CredentialAlreadyConsumedError } from '../oauth/oauth-error.ts';
import { isGrantSetCheckpoint, pruneGrantSet } from './grant-set-pruning.ts';
import type { KeyValueStore } from './key-value-store.ts';

/**
 * Models whose id is itself a bearer credential (the token, code or handle a
 * client presents). Their records are keyed by the id's SHA-256 and stored
 * without `jti`, so a dump of the store holds nothing a client could present
 * (style.md rule 8). find() receives the id from the presenter and puts it back.
 */
const CREDENTIAL_ID_MODELS: ReadonlySet<string> = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'ClientCredentials',
  'BackchannelAuthenticationRequest',
  'PushedAuthorizationRequest',
  'ReplayDetection',
  'RegistrationAccessToken',
  'InitialAccessToken',
  'PreAuthorizedCode',
]);

/** Models that carry a grantId and are revoked together by revokeByGrantId (as oidc-provider's own adapters). */
const GRANT_BOUND_MODELS: ReadonlySet<string> = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

/**
 * What is stored under a record key. The absolute expiry travels with the
 * payload so that consume(), which rewrites the record, keeps the remaining
 * lifetime instead of restarting or dropping it.
 */
interface StoredRecord {
  payload: AdapterPayload;
  /** Epoch ms, or null for records without expiry (e.g. Client). */
  expiresAtMs: number | null;
}

export interface OidcAdapterOptions {
  /** The clock the store runs on, for `consumed` and the remaining TTL. Defaults to the system clock. */
  clock?: Clock;
  /**
   * Seals the two places where a device code (RFC 8628) must be kept recoverable: the user-code
   * index, which must lead back to the code, and an interaction's `deviceCode`. Without it they
   * are stored in clear (tests, operator tooling that never reads them).
   */
  deviceCodeSealKey?: Buffer;
  /**
   * How long a consumed record of these models is kept after its consumption, at most (ms). By
   * default, and for models not named, a consumed record keeps its whole remaining lifetime.
   * The proxy bounds `RefreshToken` to the reuse-detection window (docs/decisions.md).
   */
  keepConsumedMs?: Readonly<Partial<Record<string, number>>>;
}

/** Key of the set that lists every record key issued under one grant. */
export const grantSetKey = (grantId: string): string => `grant:${grantId}`;

/** The store key of one record: `<Model>:<id>`, or `<Model>:<sha256(id)>` where the id is a credential. */
export function oidcRecordKey(modelName: string, id: string): string {
  return `${modelName}:${CREDENTIAL_ID_MODELS.has(modelName) ? sha256Base64Url(id) : id}`;
}

const uidIndexKey = (modelName: string, uid: string): string => `uid:${modelName}:${uid}`;
const userCodeIndexKey = (modelName: string, userCode: string): string => `userCode:${modelName}:${userCode}`;

const ttlOption = (ttlMs: number | undefined): { ttlMs?: number } => (ttlMs === undefined ? {} : { ttlMs });

function parseRecord(raw: string): StoredRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || !('payload' in parsed) || !('expiresAtMs' in parsed)) {
    return undefined;
  }
  const { payload, expiresAtMs } = parsed;
  if (typeof payload !== 'object' || payload === null) return undefined;
  if (expiresAtMs !== null && typeof expiresAtMs !== 'number') return undefined;
  return { payload: payload as AdapterPayload, expiresAtMs };
}

/**
 * The oidc-provider Adapter, written once on the KeyValueStore port so that
 * SQLite, Redis and memory all behave alike. Pass the result as the
 * provider's `adapter` option.
 */
export function createOidcAdapterFactory(
  store: KeyValueStore,
  options: OidcAdapterOptions = {},
): (modelName: string) => Adapter {
  const clock = options.clock ?? systemClock;
  const deviceCodes = deviceCodeSealer(options.deviceCodeSealKey);
  return (modelName) =>
    createModelAdapter(store, clock, modelName, deviceCodes, options.keepConsumedMs?.[modelName]);
}

/** Seals and opens device codes kept where they must be recoverable; opening a foreign value gives undefined. */
interface DeviceCodeSealer {
  readonly seal: (deviceCode: string) => string;
  readonly open: (stored: string) => string | undefined;
}

const DEVICE_CODE_ASSOCIATED_DATA = 'oidc:device-code';

function deviceCodeSealer(key: Buffer | undefined): DeviceCodeSealer {
  if (key === undefined) return { seal: (value) => value, open: (value) => value };
  return {
    seal: (value) => seal(key, value, DEVICE_CODE_ASSOCIATED_DATA),
    open: (stored) => {
      try {
        return open(key, stored, DEVICE_CODE_ASSOCIATED_DATA);
      } catch {
        return undefined;
      }
    },
  };
}

function createModelAdapter(
  store: KeyValueStore,
  clock: Clock,
  modelName: string,
  deviceCodes: DeviceCodeSealer,
  keepConsumedMs: number | undefined,
): Adapter {
  const idIsCredential = CREDENTIAL_ID_MODELS.has(modelName);
  const keyOf = (id: string): string => oidcRecordKey(modelName, id);
  // An interaction a device started names its device code (oidc-provider's `deviceCode`).
  const holdsDeviceCode = modelName === 'Interaction';

  async function find(id: string): Promise<AdapterPayload | undefined> {
    const raw = await store.get(keyOf(id));
    const record = raw === undefined ? undefined : parseRecord(raw);
    if (record === undefined) return undefined;
    const payload = idIsCredential ? { ...record.payload, jti: id } : record.payload;
    if (holdsDeviceCode && typeof payload.deviceCode === 'string') {
      const deviceCode = deviceCodes.open(payload.deviceCode);
      if (deviceCode === undefined) delete payload.deviceCode;
      else payload.deviceCode = deviceCode;
    }
    return payload;
  }

  async function findByIndex(
    indexKey: string,
    decode: (stored: string) => string | undefined = (stored) => stored,
  ): Promise<AdapterPayload | undefined> {
    const stored = await store.get(indexKey);
    const id = stored === undefined ? undefined : decode(stored);
    return id === undefined ? undefined : await find(id);
  }

  /** Deletes an index entry only while it still names this id: a regenerated Session shares its uid. */
  async function dropIndexIfOwned(
    indexKey: string,
    id: string,
    decode: (stored: string) => string | undefined = (stored) => stored,
  ): Promise<void> {
    const stored = await store.get(indexKey);
    if (stored !== undefined && decode(stored) === id) await store.delete(indexKey);
  }

  async function destroy(id: string): Promise<void> {
    const raw = await store.take(keyOf(id));
    const record = raw === undefined ? undefined : parseRecord(raw);
    if (record === undefined) return;
    const { uid, userCode } = record.payload;
    await Promise.all([
      typeof uid === 'string' ? dropIndexIfOwned(uidIndexKey(modelName, uid), id) : undefined,
      typeof userCode === 'string'
        ? dropIndexIfOwned(userCodeIndexKey(modelName, userCode), id, deviceCodes.open)
        : undefined,
    ]);
  }

  /**
   * The record is written before it joins its grant's set, so that pruning, which drops members
   * whose record is missing, can never drop a token being issued. Should the add fail, the record
   * goes too: upsert then rejects and oidc-provider hands the token to no one, and no record is
   * left that revokeByGrantId cannot find. The set's TTL only ever grows, so it outlives its
   * longest-lived member.
   */
  async function joinGrantSet(grantId: string, key: string, ttlMs: number | undefined): Promise<void> {
    const setKey = grantSetKey(grantId);
    let size: number;
    try {
      size = await store.addToSet(setKey, key, ttlOption(ttlMs));
    } catch (error) {
      await store.delete(key).catch(() => undefined);
      throw error;
    }
    if (isGrantSetCheckpoint(size)) await pruneGrantSet(store, setKey);
  }

  return {
    async upsert(id, payload, expiresIn) {
      const ttlMs = typeof expiresIn === 'number' ? expiresIn * 1000 : undefined;
      if (ttlMs !== undefined && !(ttlMs > 0)) {
        await destroy(id);
        return;
      }
      const key = keyOf(id);
      const stored: AdapterPayload = { ...payload };
      if (idIsCredential) delete stored.jti;
      if (holdsDeviceCode && typeof payload.deviceCode === 'string') {
        stored.deviceCode = deviceCodes.seal(payload.deviceCode);
      }
      const record: StoredRecord = {
        payload: stored,
        expiresAtMs: ttlMs === undefined ? null : clock.nowMs() + ttlMs,
      };
      const writes: Promise<void>[] = [store.set(key, JSON.stringify(record), ttlOption(ttlMs))];
      if (typeof payload.uid === 'string') {
        writes.push(store.set(uidIndexKey(modelName, payload.uid), id, ttlOption(ttlMs)));
      }
      if (typeof payload.userCode === 'string') {
        // The index must lead back to the code itself (oidc-provider saves what it finds under its
        // jti), so the code is sealed here rather than hashed.
        writes.push(
          store.set(userCodeIndexKey(modelName, payload.userCode), deviceCodes.seal(id), ttlOption(ttlMs)),
        );
      }
      await Promise.all(writes);
      if (GRANT_BOUND_MODELS.has(modelName) && typeof payload.grantId === 'string') {
        await joinGrantSet(payload.grantId, key, ttlMs);
      }
    },

    find,

    findByUid: (uid) => findByIndex(uidIndexKey(modelName, uid)),

    findByUserCode: (userCode) => findByIndex(userCodeIndexKey(modelName, userCode), deviceCodes.open),

    /**
     * Marks the record consumed, or throws CredentialAlreadyConsumedError when this call did not
     * turn it from unconsumed to consumed. oidc-provider reads the record (find), checks it, then
     * calls consume: two requests presenting one code at once both pass the check, so this step
     * alone decides the winner, with a compare-and-set on the record as it was read. A record
     * revoked or rewritten between the two steps loses too, so a revoked record is never written back.
     * The consumed record keeps its remaining lifetime, or less where `keepConsumedMs` bounds it:
     * past that a replay finds nothing (not found) instead of a spent credential.
     */
    async consume(id) {
      const key = keyOf(id);
      const raw = await store.get(key);
      const record = raw === undefined ? undefined : parseRecord(raw);
      if (raw === undefined || record === undefined || record.payload.consumed !== undefined) {
        throw new CredentialAlreadyConsumedError(modelName);
      }
      const remainingMs = record.expiresAtMs === null ? undefined : record.expiresAtMs - clock.nowMs();
      if (remainingMs !== undefined && remainingMs <= 0) throw new CredentialAlreadyConsumedError(modelName);
      record.payload.consumed = nowSeconds(clock);
      const keptMs =
        keepConsumedMs === undefined ? remainingMs : Math.min(remainingMs ?? Infinity, keepConsumedMs);
      if (keptMs !== undefined) record.expiresAtMs = clock.nowMs() + keptMs;
      if (!(await store.compareAndSet(key, raw, JSON.stringify(record), ttlOption(keptMs)))) {
        throw new CredentialAlreadyConsumedError(modelName);
      }
    },

    destroy,

    /**
     * The records first, the set last: the records are spread over a cluster's shards, so their
     * deletion is not one atomic step, and should it stop half-way the set still lists what is
     * left for the next revocation to find.
     */
    async revokeByGrantId(grantId) {
      const setKey = grantSetKey(grantId);
      const recordKeys = await store.members(setKey);
      await store.delete(...recordKeys);
      await store.delete(setKey);
    },
  };
}
