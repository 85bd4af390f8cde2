import { errors, type Configuration } from 'oidc-provider';
import { findResource, type ProtectedResources } from './protected-resources.ts';

type ResourceIndicatorsFeature = NonNullable<NonNullable<Configuration['features']>['resourceIndicators']>;

/**
 * RFC 8707 for every MCP server: each server's resource (in any spelling
 * `isSameResource` accepts) is a resource server with its own scopes, and its
 * tokens have its canonical resource as their one audience; anything else is
 * `invalid_target`.
 *
 * An authorization may name several servers (RFC 8707 §2): oidc-provider then
 * grants each its scopes, and the code or refresh token is exchanged with
 * `resource=<one of them>` for a token narrowed to it (one audience, that
 * server's scopes). Without `resource` at the token endpoint the token is for
 * the granted resource (`useGrantedResource`: a client that named it only at
 * /auth, or named none, still gets a token for the MCP server rather than
 * for /me), the first one asked for when there were several.
 */
export function createResourceIndicators(
  resources: ProtectedResources,
  accessTokenTtlSeconds: number,
): ResourceIndicatorsFeature {
  return {
    enabled: true,
    defaultResource: (ctx, _client, oneOf) => {
      // No `resource` at /auth: the first server (MCP clients that predate RFC 8707 in MCP).
      if (oneOf === undefined) return resources[0].resource;
      // Several values the client sent itself at the token endpoint: left as they are, so that
      // oidc-provider refuses them (one audience per token); several granted ones: the first.
      const asked = (ctx.oidc.params as { resource?: unknown } | undefined)?.resource;
      return asked === undefined ? (oneOf[0] ?? oneOf) : oneOf;
    },
    useGrantedResource: () => true,
    getResourceServerInfo: (_ctx, indicator) => {
      const resource = findResource(resources, indicator);
      if (resource === undefined) {
        const known = resources.map((each) => each.resource).join(', ');
        throw new errors.InvalidTarget(`this server only issues tokens for ${known}`);
      }
      return {
        scope: resource.scopes.join(' '),
        audience: resource.resource,
        accessTokenTTL: accessTokenTtlSeconds,
        accessTokenFormat: 'opaque',
      };
    },
  };
}
