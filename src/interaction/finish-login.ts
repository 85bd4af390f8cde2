import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';

type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

export interface FinishLoginInput {
  provider: Provider;
  details: InteractionDetails;
  accountId: string;
  /** PROVIDER_SCOPE: the scopes a grant may hold. */
  scopes: readonly string[];
  /** What a request without `scope` gets: PROVIDER_SCOPE minus the step-up-only scopes. */
  defaultScopes: readonly string[];
  resource: string;
}

/**
 * Creates the grant the client's tokens will hang off: a new one for every
 * authorization, so that each has its own tokens and its own revocation
 * (authorization-server/load-existing-grant.ts). A grant left behind by a
 * re-authorization (step-up, a client that lost its tokens) ends with its
 * lifetime, the refresh token's. Scopes: the requested ones that PROVIDER_SCOPE allows;
 * a request without `scope` (Claude Code when nothing names one) gets the
 * default scopes, and unknown scopes (`claudeai`, `read write`) are dropped
 * rather than refused, as real clients need (clients.md §5.1, §5.2).
 */
export async function finishLogin(input: FinishLoginInput): Promise<string> {
  const { provider, details, accountId } = input;
  const clientId = String(details.params.client_id);
  const allowed = new Set(input.scopes);
  const requested =
    typeof details.params.scope === 'string' && details.params.scope.trim() !== ''
      ? details.params.scope.split(' ').filter((scope) => allowed.has(scope))
      : [...input.defaultScopes];

  const grant = new provider.Grant({ accountId, clientId });
  // oidc-provider counts every configured scope a request names as an OP scope too
  // (`requestParamOIDCScopes`), not only openid and its kin: a custom scope granted for the
  // resource alone would leave its consent check unmet, and the login would start over forever.
  if (requested.length > 0) grant.addOIDCScope(requested.join(' '));
  grant.addResourceScope(input.resource, requested.join(' '));
  return await grant.save();
}

export type { InteractionResults };
