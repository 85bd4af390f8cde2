import type { McpServerCommon } from '../config/config.ts';

/**
 * RFC 9728 protected resource metadata for an MCP endpoint. `resource` is the
 * exact MCP URL (BASE_URL + the server's mount path, RFC 9728 §3.3), and the
 * one authorization server is this proxy, spelled exactly as its issuer
 * (RFC 8414 §3.3). `offline_access` is left out: MCP 2026-07-28 §10 says it
 * belongs in the AS metadata only.
 */
export interface ProtectedResourceMetadata {
  readonly resource: string;
  readonly authorization_servers: readonly string[];
  readonly bearer_methods_supported: readonly string[];
  readonly scopes_supported: readonly string[];
  readonly resource_name?: string;
}

export function buildProtectedResourceMetadata(input: {
  resource: string;
  issuer: string;
  scopes: readonly string[];
  resourceName?: string | undefined;
}): ProtectedResourceMetadata {
  return {
    resource: input.resource,
    authorization_servers: [input.issuer],
    bearer_methods_supported: ['header'],
    scopes_supported: input.scopes.filter((scope) => scope !== 'offline_access'),
    ...(input.resourceName === undefined ? {} : { resource_name: input.resourceName }),
  };
}

/** RFC 9728 §3.1: the well-known path for a resource with a path component. */
export function protectedResourceMetadataPath(mcpPath: string): string {
  return `/.well-known/oauth-protected-resource${mcpPath === '/' ? '' : mcpPath}`;
}

/**
 * The metadata of every MCP server, by the path it is served at (RFC 9728
 * §3.1): each server's with its resource, its default scopes (what a client
 * that names none is granted) and its display name. The bare well-known path
 * serves the first server's, as it did for the one server before: clients of
 * MCP 2025-03-26 look there.
 */
export function protectedResourceMetadataByPath(input: {
  servers: readonly [McpServerCommon, ...McpServerCommon[]];
  issuer: string;
}): ReadonlyMap<string, ProtectedResourceMetadata> {
  const metadataOf = (server: McpServerCommon) =>
    buildProtectedResourceMetadata({
      resource: server.resource,
      issuer: input.issuer,
      scopes: server.defaultScopes,
      resourceName: server.displayName,
    });
  const byPath = new Map([[protectedResourceMetadataPath('/'), metadataOf(input.servers[0])]]);
  for (const server of input.servers)
    byPath.set(protectedResourceMetadataPath(server.path), metadataOf(server));
  return byPath;
}
