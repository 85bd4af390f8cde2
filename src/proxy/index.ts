export { createMcpProxy } from './create-mcp-proxy.ts';
export type { McpProxy, McpProxyOptions } from './create-mcp-proxy.ts';
export type { ProxyTracing } from './ports.ts';
export {
  createSessionBinding,
  SESSION_OWNER_CACHE_ENTRIES,
  SESSION_OWNER_TTL_MS,
} from './session-binding.ts';
export type { SessionBindingOptions } from './session-binding.ts';
export type { UpstreamClient, UpstreamExchange } from './upstream-client.ts';
