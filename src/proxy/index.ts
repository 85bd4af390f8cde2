export { createMcpProxy } from './create-mcp-proxy.ts';
export type { McpProxy, McpProxyOptions } from './create-mcp-proxy.ts';
export type {
  AdmitUnauthenticated,
  IsUpstreamAvailable,
  ProxyTracing,
  SessionOwners,
  StepUpPolicy,
  UpstreamTokenSource,
  VerifiedAccess,
  VerifyAccessToken,
} from './ports.ts';
export {
  createSessionBinding,
  SESSION_OWNER_CACHE_ENTRIES,
  SESSION_OWNER_TTL_MS,
} from './session-binding.ts';
export type { SessionBindingOptions } from './session-binding.ts';
// The MCP endpoint's shared front door, also used by the stdio bridge (src/stdio-bridge/).
export { readBearerCredential } from './bearer-credential.ts';
export type { BearerCredential } from './bearer-credential.ts';
export { answerUnauthenticated } from './answer-unauthenticated.ts';
export { mcpRequestEvent } from './mcp-request-event.ts';
export { stepUpChallenged } from './step-up-challenged.ts';
export { createProxyReplies } from './proxy-replies.ts';
export type { ChallengeReason, ProxyReplies, ProxyRepliesOptions } from './proxy-replies.ts';
export { requestIdFor } from './request-id.ts';
export type { UpstreamClient, UpstreamExchange } from './upstream-client.ts';
export { createScopeCheck } from './scope-check.ts';
