import type { ClientRecord, GrantRecord } from '../grants/index.ts';

/**
 * The JSON the admin API answers with: a stable interface (docs/admin-api.md).
 * A field may be added; none is renamed, retyped or removed within /admin/v1/.
 * Unknown values are `null`, never absent, so that every object of a kind has
 * the same keys. Times are ISO 8601 UTC.
 */
export interface GrantView {
  readonly grantId: string;
  readonly accountId: string | null;
  readonly clientId: string | null;
  readonly clientName: string | null;
  readonly scopes: readonly string[];
  readonly resources: readonly { readonly resource: string; readonly scopes: readonly string[] }[];
  readonly createdAt: string | null;
  readonly expiresAt: string | null;
}

export type Registration = 'dynamic' | 'metadata_document';

export interface ClientView {
  readonly clientId: string;
  readonly clientName: string | null;
  readonly registration: Registration;
  /** null for a client ID metadata document client: its redirect URIs are in the document at its client id. */
  readonly redirectUris: readonly string[] | null;
  readonly createdAt: string | null;
  /** How many grants (users' authorizations) the client holds now. */
  readonly grants: number;
}

const isoOrNull = (epochSeconds: number | undefined): string | null =>
  epochSeconds === undefined ? null : new Date(epochSeconds * 1000).toISOString();

/**
 * A client whose id is an https URL registered with a client ID metadata
 * document (draft-ietf-oauth-client-id-metadata-document §3); registered
 * clients get random ids from oidc-provider.
 */
export const registrationOf = (clientId: string): Registration =>
  clientId.startsWith('https://') ? 'metadata_document' : 'dynamic';

export function grantView(grant: GrantRecord, clientName: string | undefined): GrantView {
  return {
    grantId: grant.grantId,
    accountId: grant.accountId ?? null,
    clientId: grant.clientId ?? null,
    clientName: clientName ?? null,
    scopes: grant.scopes,
    resources: grant.resources,
    createdAt: isoOrNull(grant.createdAtSeconds),
    expiresAt: isoOrNull(grant.expiresAtSeconds),
  };
}

/**
 * Every registered client, then every client that holds a grant without a
 * registration (client ID metadata document clients, which oidc-provider
 * does not store), each with its count of grants.
 */
export function clientViews(clients: readonly ClientRecord[], grants: readonly GrantRecord[]): ClientView[] {
  const grantCounts = new Map<string, number>();
  for (const { clientId } of grants) {
    if (clientId !== undefined) grantCounts.set(clientId, (grantCounts.get(clientId) ?? 0) + 1);
  }
  const registered: ClientView[] = clients.map((client) => ({
    clientId: client.clientId,
    clientName: client.name ?? null,
    registration: registrationOf(client.clientId),
    redirectUris: client.redirectUris,
    createdAt: isoOrNull(client.createdAtSeconds),
    grants: grantCounts.get(client.clientId) ?? 0,
  }));
  const known = new Set(clients.map((client) => client.clientId));
  const unregistered: ClientView[] = [...grantCounts]
    .filter(([clientId]) => !known.has(clientId))
    .map(([clientId, count]) => ({
      clientId,
      clientName: null,
      registration: registrationOf(clientId),
      redirectUris: null,
      createdAt: null,
      grants: count,
    }));
  return [...registered, ...unregistered];
}
