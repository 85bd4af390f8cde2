import type { IncomingMessage } from 'node:http';
import { findClient, findGrant, listClients, listGrants, type GrantRecord } from '../grants/index.ts';
import { OAuthError } from '../oauth/oauth-error.ts';
import type { AdminAction, Observe } from '../observability/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { KeyValueStore } from '../store/index.ts';
import { clientViews, grantView, type GrantView } from './admin-views.ts';

export interface AdminCallsOptions {
  /** The proxy's store: grants and clients are read from their oidc-provider records (src/grants). */
  readonly store: KeyValueStore;
  /**
   * Revokes one grant as the running proxy does: the grant, every token issued
   * under it and the user's IdP tokens, announced to every instance (their
   * token checks are cached in memory). Resolves to whether the grant existed.
   * Throws DependencyUnavailableError when the store does not answer.
   */
  readonly revokeGrant: (grantId: string) => Promise<boolean>;
  readonly observe: Observe;
  readonly logger: Logger;
}

/** One call: what the route table parsed, in; the JSON body of a 200, out. Errors are thrown as OAuthError. */
export type AdminCall = (input: {
  readonly request: IncomingMessage;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
}) => Promise<unknown>;

export interface AdminCalls {
  readonly listUserGrants: AdminCall;
  readonly revokeUserGrants: AdminCall;
  readonly readGrant: AdminCall;
  readonly revokeGrant: AdminCall;
  readonly listClients: AdminCall;
}

/** The admin API's calls, each a short list of steps: read, act, record, answer (docs/admin-api.md). */
export function createAdminCalls(options: AdminCallsOptions): AdminCalls {
  const { store, observe } = options;

  const record = (
    request: IncomingMessage,
    action: AdminAction,
    named: { accountId?: string; clientId?: string | undefined; grantId?: string },
    count: number,
  ) =>
    observe({
      type: 'admin.request',
      action,
      accountId: named.accountId,
      clientId: named.clientId,
      grantId: named.grantId,
      count,
      request,
    });

  /** Grant views with their clients' registered names, each client read once. */
  async function viewsOf(grants: readonly GrantRecord[]): Promise<GrantView[]> {
    const names = new Map<string, string | undefined>();
    for (const clientId of new Set(grants.map((grant) => grant.clientId))) {
      if (clientId !== undefined) names.set(clientId, (await findClient(store, clientId))?.name);
    }
    return grants.map((grant) =>
      grantView(grant, grant.clientId === undefined ? undefined : names.get(grant.clientId)),
    );
  }

  /** Revokes each grant; those another call removed meanwhile are left out of the answer. */
  async function revokeEach(
    request: IncomingMessage,
    grants: readonly GrantRecord[],
  ): Promise<GrantRecord[]> {
    const revoked: GrantRecord[] = [];
    for (const grant of grants) {
      if (!(await options.revokeGrant(grant.grantId))) continue;
      revoked.push(grant);
      const { grantId, accountId, clientId } = grant;
      observe({ type: 'grant.revoked', by: 'admin', grantId, accountId, clientId, request });
    }
    if (revoked.length > 0) {
      options.logger.info(
        { event: 'admin_api.grants_revoked', grantIds: revoked.map((grant) => grant.grantId) },
        'admin_api.grants_revoked',
      );
    }
    return revoked;
  }

  async function existingGrant(grantId: string): Promise<GrantRecord> {
    const grant = await findGrant(store, grantId);
    if (grant === undefined) throw new OAuthError('not_found', 'no grant has this id');
    return grant;
  }

  return {
    async listUserGrants({ request, params, query }) {
      const accountId = params['accountId'] ?? '';
      const clientId = clientFilterOf(query);
      const grants = await listGrants(store, { accountId, clientId });
      record(request, 'list_user_grants', { accountId, clientId }, grants.length);
      return { accountId, grants: await viewsOf(grants) };
    },
    async revokeUserGrants({ request, params, query }) {
      const accountId = params['accountId'] ?? '';
      const clientId = clientFilterOf(query);
      const revoked = await revokeEach(request, await listGrants(store, { accountId, clientId }));
      record(request, 'revoke_user_grants', { accountId, clientId }, revoked.length);
      return { accountId, revoked: await viewsOf(revoked) };
    },
    async readGrant({ request, params }) {
      const grant = await existingGrant(params['grantId'] ?? '');
      record(request, 'read_grant', { grantId: grant.grantId }, 1);
      return { grant: (await viewsOf([grant]))[0] };
    },
    async revokeGrant({ request, params }) {
      const grant = await existingGrant(params['grantId'] ?? '');
      const revoked = await revokeEach(request, [grant]);
      if (revoked.length === 0) throw new OAuthError('not_found', 'no grant has this id');
      record(request, 'revoke_grant', { grantId: grant.grantId }, 1);
      return { revoked: await viewsOf(revoked) };
    },
    async listClients({ request }) {
      const clients = clientViews(await listClients(store), await listGrants(store));
      record(request, 'list_clients', {}, clients.length);
      return { clients };
    },
  };
}

/** `?client_id=` narrows a user's grants to one client; given empty, it is a mistake worth naming. */
function clientFilterOf(query: URLSearchParams): string | undefined {
  const clientId = query.get('client_id');
  if (clientId === null) return undefined;
  if (clientId === '')
    throw new OAuthError('invalid_request', 'client_id is empty; leave it out for every client');
  return clientId;
}
