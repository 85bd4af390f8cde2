import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { TestOAuthClient } from '../../support/sdk-oauth-client.ts';

/** What an MCP client registers: a named application with a website, as real clients do. */
export const CLIENT_METADATA = { client_name: 'Example MCP Client', client_uri: 'https://client.example/' };

export interface SdkAuthorization {
  readonly client: TestOAuthClient;
  /** Where the SDK would open the browser. */
  readonly authorizationUrl: URL;
}

/** The SDK's discovery and dynamic registration, up to the URL it hands to the browser. */
export async function startSdkAuthorization(mcpUrl: string, redirectUri: string): Promise<SdkAuthorization> {
  const client = new TestOAuthClient({ redirectUrl: redirectUri, metadata: CLIENT_METADATA });
  const result = await auth(client, { serverUrl: mcpUrl });
  if (result !== 'REDIRECT' || client.authorizationUrl === undefined)
    throw new Error(`expected the SDK to open a browser, got ${result}`);
  return { client, authorizationUrl: client.authorizationUrl };
}

/** The SDK's code exchange once the browser reached the redirect URI. */
export async function finishSdkAuthorization(
  authorization: SdkAuthorization,
  mcpUrl: string,
  callback: URL,
): Promise<OAuthTokens> {
  const code = callback.searchParams.get('code');
  if (code === null) throw new Error(`no code at the redirect URI: ${callback.href}`);
  if (callback.searchParams.get('state') !== authorization.client.state())
    throw new Error('the state came back changed');
  const result = await auth(authorization.client, { serverUrl: mcpUrl, authorizationCode: code });
  const tokens = authorization.client.tokens();
  if (result !== 'AUTHORIZED' || tokens === undefined) throw new Error(`expected tokens, got ${result}`);
  return tokens;
}
