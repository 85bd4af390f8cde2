import type { McpServerCommon, McpServerRunConfig, McpStdioBridgeConfig } from '../config.ts';

/**
 * What a server of the servers file takes from the environment when it does
 * not say: the proxy-wide PROVIDER_SCOPE, step-up rules, MCP rate limit and
 * user id header, and the MCP_SERVER_* timeouts and stdio settings.
 */
export interface EntryDefaults extends Pick<
  McpServerCommon,
  'scopes' | 'defaultScopes' | 'scopePolicy' | 'rateLimit' | 'userIdHeader'
> {
  readonly run: Pick<McpServerRunConfig, 'startTimeoutMs' | 'exitWithChild'>;
  readonly stdio: Pick<McpStdioBridgeConfig, 'tokenEnv' | 'userIdEnv' | 'idleTimeoutMs' | 'maxSessions'>;
}
