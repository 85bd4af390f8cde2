import type Provider from 'oidc-provider';
import {
  grantedScopes,
  requestedResources,
  stepUpOnlyScopes,
  type ProtectedResources,
} from '../authorization-server/index.ts';

type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

/**
 * The requested scopes that only step-up grants, each of which needs the
 * user's confirmation for the client (confirmed-clients.ts). Each is named
 * with its server's id: confirming `write` for one MCP server does not
 * confirm another server's `write` (a space never occurs in an id or a
 * scope, RFC 6749 §3.3).
 */
export function stepUpScopesToConfirm(servers: ProtectedResources, details: InteractionDetails): string[] {
  return requestedResources(servers, details.params.resource).flatMap((server) => {
    const stepUpOnly = new Set(stepUpOnlyScopes(server));
    return grantedScopes(details.params.scope, server)
      .filter((scope) => stepUpOnly.has(scope))
      .map((scope) => `${server.id} ${scope}`);
  });
}
