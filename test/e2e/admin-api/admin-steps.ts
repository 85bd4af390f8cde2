/**
 * Steps shared by the admin API's end-to-end tests: a proxy with the API on,
 * users signed in through MCP clients as an MCP application does it (the SDK's
 * discovery, registration and browser login), and admin calls as an
 * offboarding workflow sends them.
 */
import assert from 'node:assert/strict';
import type { OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { ObservedEvent } from '../../../src/observability/index.ts';
import { refreshTokens } from '../../support/login-bridge-steps.ts';
import { authorizeWithSdk, TestOAuthClient } from '../../support/sdk-oauth-client.ts';
import { startTestProxy, type TestProxy, type TestProxyOptions } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';

export const ADMIN_TOKEN = 'Xq8vN2kR7tW4zY6mC9pL1sD5fH0jGa3bE7uK2oQ9';

/** A proxy with the admin API on, and every event it observed (the audit trail's input). */
export async function startAdminProxy(
  options: TestProxyOptions = {},
): Promise<{ proxy: TestProxy; events: ObservedEvent[] }> {
  const events: ObservedEvent[] = [];
  const proxy = await startTestProxy({
    ...options,
    env: { MCP_AUTH_PROXY_ADMIN_TOKEN: ADMIN_TOKEN, ...options.env },
    observers: [(event) => events.push(event)],
  });
  return { proxy, events };
}

export interface SignedIn {
  readonly clientId: string;
  readonly tokens: OAuthTokens;
}

/** One MCP client application, named `clientName`, signs `username` in: a registration and a grant. */
export async function signIn(mcpUrl: string, username: string, clientName: string): Promise<SignedIn> {
  const oauth = new TestOAuthClient({ metadata: { client_name: clientName } });
  const { tokens } = await authorizeWithSdk(mcpUrl, oauth, new UserAgent(), { username });
  const clientId = oauth.clientInformation()?.client_id;
  assert.ok(clientId !== undefined);
  return { clientId, tokens };
}

export interface AdminAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/** One admin call; every answer of the admin API is JSON, so the body is parsed (and must parse). */
export async function adminCall(
  baseUrl: string,
  method: string,
  path: string,
  /** The Authorization header; null sends none. */
  authorization: string | null = `Bearer ${ADMIN_TOKEN}`,
): Promise<AdminAnswer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: authorization === null ? {} : { authorization },
  });
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/, `${method} ${path}`);
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

/** The grant objects of a list or revocation answer. */
export const grantsIn = (body: Record<string, unknown>, field: 'grants' | 'revoked') =>
  body[field] as Array<Record<string, unknown>>;

/** Whether a client could still refresh: a revoked grant's refresh token is refused with invalid_grant. */
export async function refreshStatus(proxy: TestProxy, signedIn: SignedIn): Promise<number> {
  const refreshToken = signedIn.tokens.refresh_token;
  assert.ok(refreshToken !== undefined);
  const { status } = await refreshTokens(proxy.baseUrl, signedIn.clientId, refreshToken, proxy.mcpUrl);
  return status;
}
