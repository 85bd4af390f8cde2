import type { McpStdioBridgeConfig } from '../config/config.ts';

/**
 * What a stdio MCP server inherits from the proxy's own environment: enough to
 * find its tools, its home and its locale (the SDK's StdioClientTransport
 * inherits a list of the same kind). Never the rest: the proxy's environment
 * holds its signing keys, encryption key and IdP client secret, and every user
 * of the MCP endpoint drives a process that could be made to print its
 * environment.
 */
export const INHERITED_VARIABLES = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'TERM',
  'LANG',
  'TZ',
  'TMPDIR',
] as const;

/** Whose session a child serves. */
export interface SessionIdentity {
  readonly accountId: string;
  /** The user's IdP access token when the session was opened. */
  readonly upstreamToken: string;
}

/**
 * The child's environment: the inherited variables, then MCP_SERVER_RUN_ENV_JSON,
 * then the session's user (token and account id), which nothing can override.
 */
export function childEnvironment(
  processEnv: Readonly<Record<string, string | undefined>>,
  stdio: Pick<McpStdioBridgeConfig, 'env' | 'tokenEnv' | 'userIdEnv'>,
  identity: SessionIdentity,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_VARIABLES) {
    const value = processEnv[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, stdio.env);
  env[stdio.tokenEnv] = identity.upstreamToken;
  env[stdio.userIdEnv] = identity.accountId;
  return env;
}
