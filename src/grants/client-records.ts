import type { AdapterPayload } from 'oidc-provider';
import { createOidcAdapterFactory, type KeyValueStore } from '../store/index.ts';
import { idsWithPrefix, seconds, text } from './stored-payload.ts';

/**
 * `Client:<id>` records: the clients that registered (RFC 7591). A client ID
 * metadata document client has none; oidc-provider keeps its document in
 * memory only.
 */
const CLIENT_PREFIX = 'Client:';

export interface ClientRecord {
  readonly clientId: string;
  readonly name: string | undefined;
  readonly redirectUris: readonly string[];
  /** `client_id_issued_at` (RFC 7591 §3.2.1), epoch seconds. */
  readonly createdAtSeconds: number | undefined;
}

/** Every registered client, oldest first. */
export async function listClients(store: KeyValueStore): Promise<ClientRecord[]> {
  const adapter = createOidcAdapterFactory(store)('Client');
  const clients: ClientRecord[] = [];
  for await (const id of idsWithPrefix(store, CLIENT_PREFIX)) {
    const payload = await adapter.find(id);
    if (payload !== undefined) clients.push(clientRecord(id, payload));
  }
  return clients.sort((a, b) => (a.createdAtSeconds ?? 0) - (b.createdAtSeconds ?? 0));
}

/** One registered client; undefined for an unknown id and for a client ID metadata document client. */
export async function findClient(store: KeyValueStore, clientId: string): Promise<ClientRecord | undefined> {
  const payload = await createOidcAdapterFactory(store)('Client').find(clientId);
  return payload === undefined ? undefined : clientRecord(clientId, payload);
}

function clientRecord(id: string, payload: AdapterPayload): ClientRecord {
  return {
    clientId: text(payload['client_id']) ?? id,
    name: text(payload['client_name']),
    redirectUris: Array.isArray(payload['redirect_uris'])
      ? payload['redirect_uris'].filter((uri) => typeof uri === 'string')
      : [],
    createdAtSeconds: seconds(payload['client_id_issued_at']),
  };
}
