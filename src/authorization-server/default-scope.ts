import type { KoaContextWithOIDC } from 'oidc-provider';
import { defaultedScope, requestedResources, type ProtectedResources } from './protected-resources.ts';

/**
 * Fills in the authorization request's `scope` (as an oidc-provider
 * `extraParams` validator, whose documented use includes assigning defaults).
 *
 * Real MCP clients send no `scope` (Claude Code when nothing names one, MCP
 * authorization §6), or only scopes this server never heard of (`claudeai`,
 * `read write` from Claude hosted connectors). RFC 6749 §3.3 lets the server
 * apply a default instead of failing. Without one, oidc-provider finishes the
 * login and then refuses the request with `access_denied` (nothing requested,
 * nothing granted). So, per server the request names (`resource`, checked
 * before this runs): keep the known scopes, and when none is left use that
 * server's default scopes: all of its scopes, as the reference did for a
 * missing `scope`, except those that only step-up grants (scope rules).
 */
export function createScopeDefaulter(resources: ProtectedResources): (ctx: KoaContextWithOIDC) => void {
  return (ctx) => {
    const params = ctx.oidc.params as { scope?: unknown; resource?: unknown } | undefined;
    if (params === undefined) return;
    const requested = typeof params.scope === 'string' ? params.scope.split(' ') : [];
    params.scope = defaultedScope(requested, requestedResources(resources, params.resource)).join(' ');
  };
}
