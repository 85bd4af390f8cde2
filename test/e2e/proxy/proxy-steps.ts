/**
 * Steps shared by the proxy's end-to-end tests: log in with the SDK, connect
 * the SDK MCP client with the tokens it got, send raw MCP requests, and wait
 * (bounded) for a condition that a background process brings about.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { authorizeWithSdk, TestOAuthClient } from '../../support/sdk-oauth-client.ts';
import { UserAgent } from '../../support/user-agent.ts';

export const MCP_PROTOCOL_VERSION = '2025-11-25';
/** A raw request unanswered by then fails the test instead of hanging it. */
const RAW_REQUEST_DEADLINE_MS = 60_000;

export interface LoggedIn {
  /** The SDK client's OAuth state (registration and tokens), usable as an authProvider. */
  readonly oauth: TestOAuthClient;
  readonly tokens: OAuthTokens;
}

/** Discovery, registration, confirmation and IdP login, as an MCP client application does it. */
export async function logIn(mcpUrl: string, username: string): Promise<LoggedIn> {
  const oauth = new TestOAuthClient();
  const { tokens } = await authorizeWithSdk(mcpUrl, oauth, new UserAgent(), { username });
  return { oauth, tokens };
}

export interface McpConnection {
  readonly client: Client;
  readonly transport: StreamableHTTPClientTransport;
}

/** Connects the SDK MCP client (initialize + initialized) through the proxy with these tokens. */
export async function connectMcp(url: string, oauth: TestOAuthClient): Promise<McpConnection> {
  const client = new Client({ name: 'proxy-e2e', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: oauth });
  await client.connect(transport);
  return { client, transport };
}

export function textOf(result: unknown): string {
  const content = (result as CallToolResult).content[0];
  assert.equal(content?.type, 'text');
  return content.text;
}

/** A JSON-RPC request over raw HTTP, so the test sees the status and headers the proxy answers. */
export async function postMcp(
  url: string,
  accessToken: string,
  message: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${accessToken}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': MCP_PROTOCOL_VERSION,
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: '2.0', ...message }),
    signal: AbortSignal.timeout(RAW_REQUEST_DEADLINE_MS),
  });
}

/** An `initialize` over raw HTTP: the smallest request that reaches the MCP server. */
export async function initializeRaw(url: string, accessToken: string): Promise<Response> {
  return await postMcp(url, accessToken, {
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: MCP_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'raw-e2e', version: '1.0.0' },
    },
  });
}

/** Asserts the proxy's 503 answer: Retry-After and a JSON `temporarily_unavailable` body. */
export async function assertTemporarilyUnavailable(response: Response): Promise<void> {
  const text = await response.text();
  assert.equal(response.status, 503, text);
  assert.match(response.headers.get('retry-after') ?? '', /^\d+$/);
  assert.match(response.headers.get('content-type') ?? '', /application\/json/);
  assert.equal((JSON.parse(text) as { error: string }).error, 'temporarily_unavailable');
}

/**
 * Polls `probe` until it returns a value other than undefined. Background work (a restart,
 * a reconnect) has no event a test can await, so this is bounded polling, not a timed assertion.
 */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  { timeoutMs = 20_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= giveUpAt) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}
