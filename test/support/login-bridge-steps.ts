/**
 * Step-by-step drivers for the login bridge, for tests that must stop between
 * the hops the SDK helpers run in one go: register a client by hand, open an
 * authorization request, confirm, sign in at the IdP, come back, exchange the
 * code, and call the MCP server with a given token.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FakeIdp } from './fake-idp.ts';
import { readForm, type UserAgent } from './user-agent.ts';

export interface RegisteredClient {
  readonly client_id: string;
  readonly client_secret?: string;
  readonly redirect_uris: string[];
  readonly [field: string]: unknown;
}

/** RFC 7591 registration at the proxy's `/reg`; throws unless it answers 201. */
export async function registerClient(
  baseUrl: string,
  metadata: Record<string, unknown> = {},
): Promise<RegisteredClient> {
  const response = await fetch(`${baseUrl}/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Step Client',
      redirect_uris: ['http://127.0.0.1:45123/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      ...metadata,
    }),
  });
  const body = (await response.json()) as RegisteredClient;
  if (response.status !== 201)
    throw new Error(`registration failed: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** One authorization request with its PKCE verifier and state (RFC 7636, RFC 6749 §4.1.1). */
export interface AuthorizationRequest {
  readonly url: URL;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state: string;
  readonly verifier: string;
}

export function authorizationRequest(
  baseUrl: string,
  client: { client_id: string; redirect_uris: string[] },
  resource: string,
): AuthorizationRequest {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(12).toString('base64url');
  const redirectUri = client.redirect_uris[0] ?? '';
  const url = new URL(`${baseUrl}/auth`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: redirectUri,
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    scope: 'openid offline_access',
    resource,
  }).toString();
  return { url, clientId: client.client_id, redirectUri, state, verifier };
}

/** Where a browser stopped: on a proxy page (confirmation, error), at the IdP, or back at the client. */
export type Stop =
  | {
      readonly at: 'page';
      readonly url: URL;
      readonly status: number;
      readonly html: string;
      readonly headers: Headers;
    }
  | { readonly at: 'idp'; readonly url: URL }
  | { readonly at: 'client'; readonly url: URL };

/** Follows redirects from `url` until the IdP, the client's redirect URI, or a page. */
export async function browse(
  agent: UserAgent,
  url: string | URL,
  targets: { idpUrl: string; redirectUri: string },
  init: RequestInit = {},
): Promise<Stop> {
  const atIdp = (u: URL) => u.origin === new URL(targets.idpUrl).origin;
  const atClient = (u: URL) => u.href.startsWith(targets.redirectUri);
  const { response, final } = await agent.follow(url, (u) => atIdp(u) || atClient(u), init);
  if (response !== undefined) {
    return {
      at: 'page',
      url: final,
      status: response.status,
      html: await response.text(),
      headers: response.headers,
    };
  }
  return atIdp(final) ? { at: 'idp', url: final } : { at: 'client', url: final };
}

/** Posts the confirmation form shown on `page` (ticked unless `confirmed: false`). */
export async function submitConfirmation(
  agent: UserAgent,
  page: Stop & { at: 'page' },
  targets: { idpUrl: string; redirectUri: string },
  options: { confirmed?: boolean; origin?: string | null; csrf?: string | null } = {},
): Promise<Stop> {
  const form = readForm(page.html, page.url.href);
  // readForm reads every input, an unticked checkbox included: a browser would not send it.
  if (options.confirmed === false) form.fields.delete('confirmed');
  else form.fields.set('confirmed', 'true');
  if (options.csrf === null) form.fields.delete('csrf');
  else if (options.csrf !== undefined) form.fields.set('csrf', options.csrf);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const origin = options.origin === undefined ? form.action.origin : options.origin;
  if (origin !== null) headers['origin'] = origin;
  return browse(agent, form.action, targets, { method: 'POST', headers, body: form.fields.toString() });
}

/** The browser at the IdP signs in as `username`; returns the IdP's redirect back to the proxy. */
export function signInAtIdp(idp: FakeIdp, idpUrl: URL, username: string): Promise<URL> {
  return idp.authorizeAs(idpUrl, username);
}

/** Expects `stop` to be at a given place; returns it narrowed. */
export function expectStop<K extends Stop['at']>(stop: Stop, at: K): Stop & { at: K } {
  if (stop.at !== at) {
    const detail = stop.at === 'page' ? ` ${stop.status} ${stop.html.slice(0, 400)}` : '';
    throw new Error(`expected to stop at ${at}, stopped at ${stop.at} ${stop.url.href}${detail}`);
  }
  return stop as Stop & { at: K };
}

/** A whole browser login for a raw authorization request, confirming when asked; returns the client callback. */
export async function loginThroughProxy(
  agent: UserAgent,
  idp: FakeIdp,
  request: AuthorizationRequest,
  username: string,
): Promise<{ callback: URL; confirmationShown: boolean; idpCallback: URL }> {
  const targets = { idpUrl: idp.url, redirectUri: request.redirectUri };
  let stop = await browse(agent, request.url, targets);
  const confirmationShown = stop.at === 'page';
  if (stop.at === 'page') stop = await submitConfirmation(agent, stop, targets);
  const idpCallback = await signInAtIdp(idp, expectStop(stop, 'idp').url, username);
  const back = expectStop(await browse(agent, idpCallback, targets), 'client');
  return { callback: back.url, confirmationShown, idpCallback };
}

export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  token_type: string;
  expires_in?: number;
  scope?: string;
  id_token?: string;
}

async function postToken(
  baseUrl: string,
  form: Record<string, string>,
  clientSecret?: string,
): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const { client_id: clientId = '', ...rest } = form;
  // RFC 6749 §2.3.1: a confidential client authenticates with HTTP Basic (form-encoded parts).
  if (clientSecret !== undefined) {
    const basic = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`;
    headers['authorization'] = `Basic ${Buffer.from(basic).toString('base64')}`;
  }
  const response = await fetch(`${baseUrl}/token`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(clientSecret === undefined ? form : rest).toString(),
  });
  return { status: response.status, body: await response.json() };
}

/** Authorization code grant (RFC 6749 §4.1.3, RFC 7636 §4.5); with `clientSecret`, as a confidential client. */
export async function exchangeCode(
  baseUrl: string,
  request: AuthorizationRequest,
  callback: URL,
  resource: string,
  clientSecret?: string,
): Promise<TokenResponse> {
  const code = callback.searchParams.get('code');
  if (code === null) throw new Error(`no code in ${callback.href}`);
  const { status, body } = await postToken(
    baseUrl,
    {
      grant_type: 'authorization_code',
      code,
      redirect_uri: request.redirectUri,
      client_id: request.clientId,
      code_verifier: request.verifier,
      resource,
    },
    clientSecret,
  );
  if (status !== 200) throw new Error(`code exchange failed: ${status} ${JSON.stringify(body)}`);
  return body as TokenResponse;
}

/** Refresh token grant (RFC 6749 §6); returns status and body, whatever they are. */
export function refreshTokens(
  baseUrl: string,
  clientId: string,
  refreshToken: string,
  resource: string,
  clientSecret?: string,
): Promise<{ status: number; body: unknown }> {
  const form = { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, resource };
  return postToken(baseUrl, form, clientSecret);
}

/** Calls the fixture's `whoami` tool through the proxy with a bearer token; returns the user it names. */
export async function whoami(mcpUrl: string, accessToken: string): Promise<string> {
  const client = new Client({ name: 'login-bridge-e2e', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), {
    requestInit: { headers: { authorization: `Bearer ${accessToken}` } },
  });
  await client.connect(transport);
  try {
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    const content = result.content as Array<{ type: string; text?: string }>;
    return content.map((part) => part.text ?? '').join('');
  } finally {
    await client.close();
  }
}

/**
 * Cleanups run last-registered-first, as resources depend on what was started
 * before them (node:test runs `t.after` hooks in registration order).
 */
export function cleanupStack(t: TestContext): (cleanup: () => unknown) => void {
  const stack: Array<() => unknown> = [];
  t.after(async () => {
    for (let cleanup = stack.pop(); cleanup !== undefined; cleanup = stack.pop()) await cleanup();
  });
  return (cleanup) => {
    stack.push(cleanup);
  };
}
