import { isSameResource } from '../authorization-server/index.ts';
import { findClient, listGrants, type ClientRecord, type GrantRecord } from '../grants/index.ts';
import type { KeyValueStore } from '../store/index.ts';
import { redirectHostnames, type AccountApp, type PageTime } from '../views/index.ts';
import type { GrantActivity } from './grant-activity.ts';

/** An MCP server as the page names it: its id, display name and URL (config `servers[]`). */
export interface NamedServer {
  readonly id: string;
  readonly displayName: string | undefined;
  readonly resource: string;
}

export interface ConnectedAppsSources {
  readonly store: KeyValueStore;
  readonly activity: Pick<GrantActivity, 'lastUsedMs' | 'publishedClientName'>;
  readonly servers: readonly NamedServer[];
}

const UTC_TIME = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});

/** A moment as the page shows it; times are rendered on the server, which has no idea of the reader's zone. */
export const pageTime = (epochMs: number): PageTime => ({
  iso: new Date(epochMs).toISOString(),
  text: `${UTC_TIME.format(epochMs)} UTC`,
});

/**
 * Every grant of the account, as the page lists it, most recently used first.
 * Reads every grant record (src/grants: the store keeps no index by user, and
 * one would cost a write on every sign-in for a page seldom opened), then each
 * client once.
 */
export async function connectedApps(accountId: string, sources: ConnectedAppsSources): Promise<AccountApp[]> {
  const grants = await listGrants(sources.store, { accountId });
  const clients = new Map<string, Promise<ClientRecord | undefined>>();
  const clientOf = (clientId: string) => {
    let client = clients.get(clientId);
    if (client === undefined) {
      client = findClient(sources.store, clientId);
      clients.set(clientId, client);
    }
    return client;
  };
  const apps = await Promise.all(grants.map((grant) => connectedApp(grant, sources, clientOf)));
  return apps.sort((a, b) => recency(b) - recency(a));
}

/** One grant as the page lists it: its client's name, redirects, servers and times. */
export async function connectedApp(
  grant: GrantRecord,
  sources: ConnectedAppsSources,
  clientOf: (clientId: string) => Promise<ClientRecord | undefined> = (clientId) =>
    findClient(sources.store, clientId),
): Promise<AccountApp> {
  const [client, lastUsedMs, publishedName] = await Promise.all([
    grant.clientId === undefined ? undefined : clientOf(grant.clientId),
    sources.activity.lastUsedMs(grant.grantId),
    sources.activity.publishedClientName(grant.grantId),
  ]);
  return appOf(grant, client, { lastUsedMs, publishedName, servers: sources.servers });
}

const recency = (app: AccountApp): number => Date.parse(app.lastUsed?.iso ?? app.firstUsed?.iso ?? '') || 0;

/**
 * A client whose id is an https URL is a client ID metadata document client
 * (draft-ietf-oauth-client-id-metadata-document): the host that publishes the
 * document is what vouches for it, as on the confirmation page.
 */
function publisherOf(clientId: string): string | undefined {
  return clientId.startsWith('https://') ? (URL.parse(clientId)?.hostname ?? undefined) : undefined;
}

function appOf(
  grant: GrantRecord,
  client: ClientRecord | undefined,
  known: {
    lastUsedMs: number | undefined;
    publishedName: string | undefined;
    servers: readonly NamedServer[];
  },
): AccountApp {
  const clientId = grant.clientId ?? '';
  const publisher = publisherOf(clientId);
  const clientName = nonBlank(client?.name) ?? nonBlank(known.publishedName);
  const redirectUris = client?.redirectUris ?? [];
  return {
    grantId: grant.grantId,
    clientId,
    clientName,
    label: clientName ?? (publisher === undefined ? 'An unnamed app' : `An app published by ${publisher}`),
    publisher,
    redirectUris,
    redirectHostnames: redirectHostnames(redirectUris),
    servers: grant.resources.map(({ resource, scopes }) => {
      const server = known.servers.find((candidate) => isSameResource(resource, candidate.resource));
      return { id: server?.id ?? resource, displayName: server?.displayName, resource, scopes };
    }),
    scopes: grant.scopes,
    firstUsed: grant.createdAtSeconds === undefined ? undefined : pageTime(grant.createdAtSeconds * 1000),
    lastUsed: known.lastUsedMs === undefined ? undefined : pageTime(known.lastUsedMs),
  };
}

const nonBlank = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value;
