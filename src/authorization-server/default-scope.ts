import type { KoaContextWithOIDC } from 'oidc-provider';

/**
 * Fills in the authorization request's `scope` (as an oidc-provider
 * `extraParams` validator, whose documented use includes assigning defaults).
 *
 * Real MCP clients send no `scope` (Claude Code when nothing names one, MCP
 * authorization §6), or only scopes this server never heard of (`claudeai`,
 * `read write` from Claude hosted connectors). RFC 6749 §3.3 lets the server
 * apply a default instead of failing. Without one, oidc-provider finishes the
 * login and then refuses the request with `access_denied` (nothing requested,
 * nothing granted). So: keep the known scopes, and when none is left use the
 * default scopes: all of PROVIDER_SCOPE, as the reference did for a missing
 * `scope`, except the scopes that only step-up grants (scope rules).
 */
export function createScopeDefaulter(
  scopes: readonly string[],
  defaultScopes: readonly string[],
): (ctx: KoaContextWithOIDC) => void {
  const known = new Set(scopes);
  const fallback = defaultScopes.join(' ');
  return (ctx) => {
    const params = ctx.oidc.params as { scope?: unknown } | undefined;
    if (params === undefined) return;
    const requested = typeof params.scope === 'string' ? params.scope.split(' ') : [];
    const kept = requested.filter((scope) => known.has(scope));
    params.scope = kept.length > 0 ? kept.join(' ') : fallback;
  };
}
