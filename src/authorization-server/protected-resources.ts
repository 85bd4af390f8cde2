import type { McpServerCommon } from '../config/config.ts';
import { isSameResource } from './resource.ts';

/** What the authorization server knows of an MCP server: a protected resource (RFC 8707, RFC 9728). */
export type ProtectedResource = Pick<
  McpServerCommon,
  'id' | 'displayName' | 'resource' | 'scopes' | 'defaultScopes'
>;

/** Every MCP server, in configuration order: the first is the resource of a request that names none. */
export type ProtectedResources = readonly [ProtectedResource, ...ProtectedResource[]];

/** The server an RFC 8707 resource indicator names, in any spelling `isSameResource` accepts. */
export function findResource(
  resources: readonly ProtectedResource[],
  indicator: string,
): ProtectedResource | undefined {
  return resources.find((resource) => isSameResource(indicator, resource.resource));
}

/** The `resource` parameter's values: oidc-provider gives one as a string, several as an array. */
export function indicatorsOf(resourceParam: unknown): string[] {
  if (typeof resourceParam === 'string') return [resourceParam];
  return Array.isArray(resourceParam)
    ? resourceParam.filter((item): item is string => typeof item === 'string')
    : [];
}

/**
 * The servers an authorization request names (RFC 8707 §2: several `resource`
 * parameters), each once, in the order asked; the first server when it names
 * none (oidc-provider has already refused unknown ones with `invalid_target`).
 */
export function requestedResources(
  resources: ProtectedResources,
  resourceParam: unknown,
): ProtectedResource[] {
  const found: ProtectedResource[] = [];
  for (const indicator of indicatorsOf(resourceParam)) {
    const resource = findResource(resources, indicator);
    if (resource !== undefined && !found.includes(resource)) found.push(resource);
  }
  return found.length > 0 ? found : [resources[0]];
}

/**
 * The `scope` an authorization request goes on with. For each server it
 * names: the requested scopes that server knows, or its default scopes when
 * the request names none of them (RFC 6749 §3.3 lets the server default).
 *
 * One `scope` parameter serves every resource of the request, and
 * oidc-provider expects each resource's grant to hold every requested scope
 * that resource knows. So a scope that only step-up grants on one of the
 * servers is never added as another server's default: it is granted only
 * when the client names it.
 */
export function defaultedScope(
  requested: readonly string[],
  targets: readonly ProtectedResource[],
): string[] {
  const known = new Set(targets.flatMap((target) => target.scopes));
  const kept = new Set(requested.filter((scope) => known.has(scope)));
  const stepUpOnly = new Set(targets.flatMap(stepUpOnlyScopes));
  const defaulted = targets
    .filter((target) => !target.scopes.some((scope) => kept.has(scope)))
    .flatMap((target) => target.defaultScopes.filter((scope) => !stepUpOnly.has(scope)));
  return [...new Set([...kept, ...defaulted])];
}

/**
 * The scopes a grant holds for `target`, from the request's (defaulted)
 * `scope`: those the server knows; its default scopes when there is no
 * `scope` at all.
 */
export function grantedScopes(scopeParam: unknown, target: ProtectedResource): string[] {
  const requested = typeof scopeParam === 'string' ? scopeParam.split(' ').filter(Boolean) : [];
  if (requested.length === 0) return [...target.defaultScopes];
  const known = new Set(target.scopes);
  return [...new Set(requested.filter((scope) => known.has(scope)))];
}

/** The scopes of `target` that only step-up grants (MCP_AUTH_PROXY_SCOPE_RULES). */
export function stepUpOnlyScopes(target: ProtectedResource): string[] {
  const everyday = new Set(target.defaultScopes);
  return target.scopes.filter((scope) => !everyday.has(scope));
}
