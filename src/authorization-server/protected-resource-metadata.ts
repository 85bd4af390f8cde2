/**
 * RFC 9728 protected resource metadata for the MCP endpoint. `resource` is the
 * exact MCP URL (BASE_URL + the path of MCP_SERVER_URL, RFC 9728 §3.3), and the
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
