/**
 * Steps for tests that run several proxy instances of one deployment: an MCP call at one
 * instance's own address, and token refresh and revocation at another's.
 */
import type { LoggedIn } from './proxy-steps.ts';
import { postMcp } from './proxy-steps.ts';

/** One tools/call whoami with a fresh MCP session, over raw HTTP: the status, and the user on success. */
export async function whoamiAt(
  mcpUrl: string,
  accessToken: string,
): Promise<{ status: number; text: string }> {
  const response = await postMcp(mcpUrl, accessToken, {
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'lb', version: '1' } },
  });
  const sessionId = response.headers.get('mcp-session-id') ?? '';
  await response.arrayBuffer();
  if (response.status !== 200) return { status: response.status, text: '' };
  const call = await postMcp(
    mcpUrl,
    accessToken,
    { id: 2, method: 'tools/call', params: { name: 'whoami', arguments: {} } },
    { 'mcp-session-id': sessionId },
  );
  return { status: call.status, text: await call.text() };
}

export async function revokeAt(
  baseUrl: string,
  user: LoggedIn,
  token: string,
  hint: string,
): Promise<Response> {
  return await fetch(`${baseUrl}/token/revocation`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      token,
      token_type_hint: hint,
      client_id: user.oauth.clientInformation()?.client_id ?? '',
    }).toString(),
  });
}

/** A refresh_token grant at one instance's own address. */
export async function refreshAt(baseUrl: string, user: LoggedIn, refreshToken: string): Promise<Response> {
  return await fetch(`${baseUrl}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: user.oauth.clientInformation()?.client_id ?? '',
    }).toString(),
    signal: AbortSignal.timeout(15_000),
  });
}
