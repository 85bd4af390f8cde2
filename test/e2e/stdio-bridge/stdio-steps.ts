/**
 * Steps shared by the stdio bridge's end-to-end tests: the real app with
 * MCP_SERVER_TRANSPORT=stdio in front of the SDK stdio fixture server
 * (test/support/stdio-fixture-server.ts), and a session opened by the SDK client.
 */
import { fileURLToPath } from 'node:url';
import type { OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { startTestProxy, type TestProxy, type TestProxyOptions } from '../../support/test-proxy.ts';
import { connectMcp, textOf, type LoggedIn, type McpConnection } from '../proxy/proxy-steps.ts';

export const STDIO_FIXTURE_PATH = fileURLToPath(
  new URL('../../support/stdio-fixture-server.ts', import.meta.url),
);

/** The environment that makes the proxy bridge each MCP session to its own stdio fixture process. */
export function stdioEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    MCP_SERVER_TRANSPORT: 'stdio',
    MCP_SERVER_RUN_COMMAND: process.execPath,
    MCP_SERVER_RUN_ARGS_JSON: JSON.stringify([STDIO_FIXTURE_PATH]),
    ...extra,
  };
}

export async function startStdioProxy(
  extraEnv: Record<string, string> = {},
  options: Omit<TestProxyOptions, 'env'> = {},
): Promise<TestProxy> {
  return await startTestProxy({ ...options, env: stdioEnv(extraEnv) });
}

export interface StdioSession extends McpConnection {
  /** The pid of the child process serving this session. */
  readonly pid: number;
  readonly sessionId: string;
}

/** The SDK client connects (initialize + initialized) and asks its child for its pid. */
export async function openStdioSession(mcpUrl: string, user: LoggedIn): Promise<StdioSession> {
  const connection = await connectMcp(mcpUrl, user.oauth);
  const pid = Number(textOf(await connection.client.callTool({ name: 'pid', arguments: {} })));
  const sessionId = connection.transport.sessionId;
  if (sessionId === undefined) throw new Error('the bridge issued no MCP session id');
  return { ...connection, pid, sessionId };
}

/** What the child's `whoami` tool saw in its environment. */
export async function whoami(
  session: McpConnection,
): Promise<{ token: string | null; userId: string | null }> {
  const result = await session.client.callTool({ name: 'whoami', arguments: {} });
  return JSON.parse(textOf(result)) as { token: string | null; userId: string | null };
}

/** DELETE with this access token and session id, as raw HTTP (MCP transports, Streamable HTTP §"Session Management"). */
export async function deleteSession(
  mcpUrl: string,
  tokens: OAuthTokens,
  sessionId: string,
): Promise<Response> {
  return await fetch(mcpUrl, {
    method: 'DELETE',
    headers: {
      authorization: `Bearer ${tokens.access_token}`,
      'mcp-session-id': sessionId,
      'mcp-protocol-version': '2025-11-25',
    },
  });
}
