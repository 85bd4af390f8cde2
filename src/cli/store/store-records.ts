import type { AdapterPayload } from 'oidc-provider';
import { encodeInvalidation } from '../../access-cache/index.ts';
import type { StoreConfig } from '../../config/index.ts';
import { systemClock } from '../../shared/clock.ts';
import { silentLogger } from '../../shared/logger.ts';
import {
  createOidcAdapterFactory,
  openInvalidationBus,
  type InvalidationBus,
  type KeyValueStore,
} from '../../store/index.ts';

/**
 * Reads and removes oidc-provider records through the same adapter the proxy
 * writes them with (docs/storage-schema.md): `Client:<id>` and `Grant:<id>`
 * are keyed by their plain ids, so `keys()` lists them.
 */
const CLIENT_PREFIX = 'Client:';
const GRANT_PREFIX = 'Grant:';
/** The sealed IdP tokens of a grant, written by src/upstream-token-vault (storage-schema.md). */
const UPSTREAM_TOKENS_PREFIX = 'upstream-tokens:';

export interface ClientRecord {
  readonly clientId: string;
  readonly name: string | undefined;
  readonly redirectUris: readonly string[];
  /** `client_id_issued_at` (RFC 7591 §3.2.1), epoch seconds. */
  readonly createdAtSeconds: number | undefined;
}

export interface GrantRecord {
  readonly grantId: string;
  readonly accountId: string | undefined;
  readonly clientId: string | undefined;
  /** The OpenID scopes and every resource's scopes, deduplicated. */
  readonly scopes: readonly string[];
  readonly expiresAtSeconds: number | undefined;
}

export interface GrantFilter {
  readonly accountId?: string | undefined;
  readonly clientId?: string | undefined;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const seconds = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

async function* idsWithPrefix(store: KeyValueStore, prefix: string): AsyncGenerator<string> {
  for await (const key of store.keys(prefix)) yield key.slice(prefix.length);
}

export async function listClients(store: KeyValueStore): Promise<ClientRecord[]> {
  const adapter = createOidcAdapterFactory(store)('Client');
  const clients: ClientRecord[] = [];
  for await (const id of idsWithPrefix(store, CLIENT_PREFIX)) {
    const payload = await adapter.find(id);
    if (payload === undefined) continue;
    clients.push({
      clientId: text(payload['client_id']) ?? id,
      name: text(payload['client_name']),
      redirectUris: Array.isArray(payload['redirect_uris'])
        ? payload['redirect_uris'].filter((uri) => typeof uri === 'string')
        : [],
      createdAtSeconds: seconds(payload['client_id_issued_at']),
    });
  }
  return clients.sort((a, b) => (a.createdAtSeconds ?? 0) - (b.createdAtSeconds ?? 0));
}

export async function listGrants(store: KeyValueStore, filter: GrantFilter = {}): Promise<GrantRecord[]> {
  const adapter = createOidcAdapterFactory(store)('Grant');
  const grants: GrantRecord[] = [];
  for await (const id of idsWithPrefix(store, GRANT_PREFIX)) {
    const payload = await adapter.find(id);
    if (payload === undefined) continue;
    const grant = grantRecord(id, payload);
    if (filter.accountId !== undefined && grant.accountId !== filter.accountId) continue;
    if (filter.clientId !== undefined && grant.clientId !== filter.clientId) continue;
    grants.push(grant);
  }
  return grants.sort((a, b) => (a.expiresAtSeconds ?? 0) - (b.expiresAtSeconds ?? 0));
}

export async function findGrant(store: KeyValueStore, grantId: string): Promise<GrantRecord | undefined> {
  const payload = await createOidcAdapterFactory(store)('Grant').find(grantId);
  return payload === undefined ? undefined : grantRecord(grantId, payload);
}

function grantRecord(grantId: string, payload: AdapterPayload): GrantRecord {
  // oidc-provider's Grant keeps OpenID scopes under `openid.scope` and each resource's under `resources[url]`.
  const scopeStrings: string[] = [];
  const openid = payload['openid'];
  if (typeof openid === 'object' && openid !== null) {
    const scope = text((openid as Record<string, unknown>)['scope']);
    if (scope !== undefined) scopeStrings.push(scope);
  }
  const resources = payload['resources'];
  if (typeof resources === 'object' && resources !== null) {
    for (const scope of Object.values(resources as Record<string, unknown>)) {
      if (typeof scope === 'string') scopeStrings.push(scope);
    }
  }
  return {
    grantId,
    accountId: text(payload['accountId']),
    clientId: text(payload['clientId']),
    scopes: [...new Set(scopeStrings.flatMap((scope) => scope.split(' ')).filter(Boolean))],
    expiresAtSeconds: seconds(payload['exp']),
  };
}

/**
 * Revokes one grant as the proxy does when the IdP refuses a refresh: the
 * Grant record, every token issued under it (the adapter's per-grant index),
 * and the user's sealed IdP tokens. True when the grant existed. Running
 * instances serve token checks from memory, so the caller must then announce
 * the revocation on the invalidation bus ({@link announceGrantsRevoked}).
 */
export async function revokeGrant(store: KeyValueStore, grantId: string): Promise<boolean> {
  const adapters = createOidcAdapterFactory(store);
  const grants = adapters('Grant');
  const existed = (await grants.find(grantId)) !== undefined;
  await grants.destroy(grantId);
  await adapters('AccessToken').revokeByGrantId(grantId);
  await store.delete(UPSTREAM_TOKENS_PREFIX + grantId);
  return existed;
}

/**
 * Tells every instance sharing the store to forget what it cached of these
 * grants (the message the proxy's own revocations send, src/access-cache).
 * False when the bus could not be reached: instances then notice only when
 * their cache entries expire.
 */
export async function announceGrantsRevoked(
  store: KeyValueStore,
  config: StoreConfig,
  grantIds: readonly string[],
): Promise<boolean> {
  let bus: InvalidationBus | undefined;
  try {
    bus = await openInvalidationBus(config, { store, clock: systemClock, logger: silentLogger });
    for (const grantId of grantIds) await bus.publish(encodeInvalidation({ kind: 'grant', grantId }));
    return true;
  } catch {
    return false;
  } finally {
    await bus?.close();
  }
}
