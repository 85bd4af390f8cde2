export { createMcpProxy } from './create-mcp-proxy.ts';
export type { McpProxy, McpProxyOptions } from './create-mcp-proxy.ts';
export type { IsUpstreamAvailable, UpstreamTokenSource, VerifiedAccess, VerifyAccessToken } from './ports.ts';
