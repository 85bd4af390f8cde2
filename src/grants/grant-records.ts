import type { AdapterPayload } from 'oidc-provider';
import { createOidcAdapterFactory, type KeyValueStore } from '../store/index.ts';
import { idsWithPrefix, seconds, text } from './stored-payload.ts';

/**
 * `Grant:<id>` records, read through the same adapter the proxy writes them
 * with (docs/storage-schema.md); grants are keyed by their plain ids, so
 * `keys()` lists them.
 */
const GRANT_PREFIX = 'Grant:';

/** The scopes a grant holds for one protected resource (RFC 8707). */
export interface GrantResource {
  readonly resource: string;
  readonly scopes: readonly string[];
}

export interface GrantRecord {
  readonly grantId: string;
  readonly accountId: string | undefined;
  readonly clientId: string | undefined;
  /** The OpenID scopes and every resource's scopes, deduplicated. */
  readonly scopes: readonly string[];
  /** Each resource the grant gives access to, with its scopes. */
  readonly resources: readonly GrantResource[];
  /** When the user signed in for it, epoch seconds. */
  readonly createdAtSeconds: number | undefined;
  readonly expiresAtSeconds: number | undefined;
}

export interface GrantFilter {
  readonly accountId?: string | undefined;
  readonly clientId?: string | undefined;
}

/**
 * Every grant that matches, soonest expiry first. Reads every `Grant:` key:
 * operator tooling, never the hot path (the store keeps no index by user).
 */
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

const scopeList = (scope: string): string[] => scope.split(' ').filter(Boolean);

function grantRecord(grantId: string, payload: AdapterPayload): GrantRecord {
  // oidc-provider's Grant keeps OpenID scopes under `openid.scope` and each resource's under `resources[url]`.
  const openid = payload['openid'];
  const openidScope =
    typeof openid === 'object' && openid !== null
      ? text((openid as Record<string, unknown>)['scope'])
      : undefined;
  const stored = payload['resources'];
  const resources: GrantResource[] = [];
  if (typeof stored === 'object' && stored !== null) {
    for (const [resource, scope] of Object.entries(stored as Record<string, unknown>)) {
      if (typeof scope === 'string') resources.push({ resource, scopes: scopeList(scope) });
    }
  }
  return {
    grantId,
    accountId: text(payload['accountId']),
    clientId: text(payload['clientId']),
    scopes: [
      ...new Set([...scopeList(openidScope ?? ''), ...resources.flatMap((resource) => resource.scopes)]),
    ],
    resources,
    createdAtSeconds: seconds(payload['iat']),
    expiresAtSeconds: seconds(payload['exp']),
  };
}
