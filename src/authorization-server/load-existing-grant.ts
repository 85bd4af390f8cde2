import type { Grant, KoaContextWithOIDC } from 'oidc-provider';
import { findResource, indicatorsOf, type ProtectedResources } from './protected-resources.ts';

/**
 * oidc-provider's `loadExistingGrant`, with two changes.
 *
 * Each authorization gets a grant of its own: only the grant this
 * interaction's login created (`result.consent.grantId`) is loaded, never the
 * one the browser session remembers for the client. Two installations of one
 * app (the same `client_id`, as with a client ID metadata document) signing
 * one user in through one browser would otherwise share a grant, and the
 * sign-out of one (RFC 7009: revoking a refresh token revokes its grant), or a
 * code replayed on a third authorization (RFC 6749 §4.1.2), would end the
 * other's access too.
 *
 * And one repair: oidc-provider keys a
 * grant's resource scopes, the authorization code and the refresh token by the
 * `resource` string exactly as the client spelled it. We accept other
 * spellings of each MCP server's resource (a trailing slash, as Claude.ai
 * sends; `resource.ts`), but the login bridge grants scopes under the
 * canonical URL. A request for `…/mcp/` would then find no scope granted for
 * `…/mcp/`, ask for consent, and send the browser round the login again
 * forever. So each server's canonical scopes are copied to the spelling this
 * request uses before the grant is checked; tokens still get the canonical
 * audience (`getResourceServerInfo`).
 */
export function createExistingGrantLoader(resources: ProtectedResources) {
  return async (ctx: KoaContextWithOIDC): Promise<Grant | undefined> => {
    const grantId = ctx.oidc.result?.consent?.grantId;
    if (grantId === undefined) return undefined;
    const grant = await ctx.oidc.provider.Grant.find(grantId);
    if (grant === undefined) return undefined;

    let changed = false;
    for (const indicator of indicatorsOf((ctx.oidc.params as { resource?: unknown } | undefined)?.resource)) {
      const canonical = findResource(resources, indicator)?.resource;
      if (canonical === undefined || indicator === canonical) continue;
      const granted = grant.getResourceScope(canonical);
      if (granted === '' || grant.getResourceScope(indicator) === granted) continue;
      grant.addResourceScope(indicator, granted);
      changed = true;
    }
    if (changed) await grant.save();
    return grant;
  };
}
