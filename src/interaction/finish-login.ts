import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { grantedScopes, requestedResources, type ProtectedResources } from '../authorization-server/index.ts';

type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

export interface FinishLoginInput {
  provider: Provider;
  details: InteractionDetails;
  accountId: string;
  /** Every MCP server, with the scopes a grant may hold for it and what a request without `scope` gets. */
  servers: ProtectedResources;
}

/**
 * Creates the grant the client's tokens will hang off: a new one for every
 * authorization, so that each has its own tokens and its own revocation
 * (authorization-server/load-existing-grant.ts). A grant left behind by a
 * re-authorization (step-up, a client that lost its tokens) ends with its
 * lifetime, the refresh token's. Scopes, for each MCP server the request
 * names (RFC 8707 §2, several `resource` parameters): the requested ones that
 * server allows; a request without `scope` (Claude Code when nothing names
 * one) gets the server's default scopes, and unknown scopes (`claudeai`,
 * `read write`) are dropped rather than refused, as real clients need
 * (clients.md §5.1, §5.2). The `scope` was already defaulted per server
 * (authorization-server/default-scope.ts).
 */
export async function finishLogin(input: FinishLoginInput): Promise<string> {
  const { provider, details, accountId } = input;
  const clientId = String(details.params.client_id);
  const perServer = requestedResources(input.servers, details.params.resource).map(
    (server) => [server.resource, grantedScopes(details.params.scope, server)] as const,
  );
  const requested = [...new Set(perServer.flatMap(([, scopes]) => scopes))];

  const grant = new provider.Grant({ accountId, clientId });
  // oidc-provider counts every configured scope a request names as an OP scope too
  // (`requestParamOIDCScopes`), not only openid and its kin: a custom scope granted for the
  // resource alone would leave its consent check unmet, and the login would start over forever.
  if (requested.length > 0) grant.addOIDCScope(requested.join(' '));
  for (const [resource, scopes] of perServer) grant.addResourceScope(resource, scopes.join(' '));
  return await grant.save();
}

export type { InteractionResults };
