/**
 * Raw OAuth 2.1 requests against the proxy, for tests that need to send what
 * an SDK never would (bad inputs, replays, foreign resources): dynamic client
 * registration, PKCE pairs, authorization URLs, and token-endpoint calls.
 */
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { loginInBrowser, type BrowserLoginResult } from './sdk-oauth-client.ts';
import { UserAgent } from './user-agent.ts';

export const LOOPBACK_REDIRECT_URI = 'http://127.0.0.1:33418/callback';

export interface RegisteredClient {
  readonly client_id: string;
  readonly client_secret?: string;
  readonly redirect_uris: string[];
  readonly token_endpoint_auth_method: string;
  readonly [field: string]: unknown;
}

export interface JsonResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** Reads a response as JSON, failing with the raw text when it is not JSON. */
export async function readJson<T = Record<string, unknown>>(response: Response): Promise<JsonResponse<T>> {
  const text = await response.text();
  let body: T;
  try {
    body = JSON.parse(text) as T;
  } catch {
    throw new Error(`expected JSON from ${response.url} (${response.status}), got: ${text.slice(0, 500)}`);
  }
  return { status: response.status, headers: response.headers, body };
}

/** POSTs client metadata to the registration endpoint (RFC 7591 §3.1) and returns the raw answer. */
export async function postRegistration(
  baseUrl: string,
  metadata: unknown,
  path = '/reg',
): Promise<JsonResponse> {
  const response = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(metadata),
  });
  return readJson(response);
}

/** Registers a client and fails unless the server answers 201. Defaults: a public loopback client. */
export async function registerClient(
  baseUrl: string,
  metadata: Record<string, unknown> = {},
): Promise<RegisteredClient> {
  const answer = await postRegistration(baseUrl, {
    client_name: 'Raw OAuth Test Client',
    redirect_uris: [LOOPBACK_REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    ...metadata,
  });
  if (answer.status !== 201)
    throw new Error(`registration failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body as unknown as RegisteredClient;
}

export interface Pkce {
  readonly verifier: string;
  readonly challenge: string;
}

/** RFC 7636 §4.1-4.2: a random verifier and its S256 challenge. */
export function createPkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * An authorization request URL. Every parameter may be overridden; a value of
 * `undefined` leaves the parameter out (to test missing PKCE, scope, resource).
 */
export function authorizationUrl(
  baseUrl: string,
  client: Pick<RegisteredClient, 'client_id' | 'redirect_uris'>,
  pkce: Pkce,
  overrides: Record<string, string | undefined> = {},
  path = '/auth',
): URL {
  const url = new URL(baseUrl + path);
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: client.redirect_uris[0],
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    state: randomBytes(12).toString('base64url'),
    scope: 'openid offline_access',
    ...overrides,
  };
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return url;
}

/** How a client authenticates at the token endpoint (RFC 6749 §2.3, OIDC Core §9). */
export type ClientAuthentication =
  | { method: 'none'; clientId: string }
  | { method: 'client_secret_basic' | 'client_secret_post'; clientId: string; clientSecret: string };

export function authenticationOf(client: RegisteredClient): ClientAuthentication {
  if (client.token_endpoint_auth_method === 'none') return { method: 'none', clientId: client.client_id };
  if (client.client_secret === undefined) throw new Error('a confidential client without a secret');
  const method = client.token_endpoint_auth_method;
  if (method !== 'client_secret_basic' && method !== 'client_secret_post')
    throw new Error(`unsupported method ${method}`);
  return { method, clientId: client.client_id, clientSecret: client.client_secret };
}

/** POSTs a form to an endpoint of the proxy, authenticating the client as it registered. */
export async function postForm<T = Record<string, unknown>>(
  url: string,
  auth: ClientAuthentication,
  params: Record<string, string>,
): Promise<JsonResponse<T>> {
  const body = new URLSearchParams(params);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth.method === 'client_secret_basic') {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before Base64.
    const user = encodeURIComponent(auth.clientId);
    const password = encodeURIComponent(auth.clientSecret);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  } else {
    body.set('client_id', auth.clientId);
    if (auth.method === 'client_secret_post') body.set('client_secret', auth.clientSecret);
  }
  return readJson<T>(await fetch(url, { method: 'POST', headers, body: body.toString() }));
}

export interface LoginOutcome extends BrowserLoginResult {
  readonly agent: UserAgent;
  readonly code: string | null;
}

/** Plays the browser through the login for an authorization URL and returns what reached the client. */
export async function loginWith(
  authorization: URL,
  redirectUri: string,
  username = 'alice',
  agent = new UserAgent(),
): Promise<LoginOutcome> {
  const result = await loginInBrowser(agent, authorization, redirectUri, { username });
  return { ...result, agent, code: result.callback.searchParams.get('code') };
}

/** A token endpoint answer: the tokens, or an RFC 6749 §5.2 error. */
export type TokenAnswer = Partial<TokenSet> & {
  readonly error?: string;
  readonly error_description?: string;
};

export interface TokenSet {
  readonly access_token: string;
  readonly refresh_token?: string;
  readonly token_type: string;
  readonly expires_in: number;
  readonly scope?: string;
  readonly id_token?: string;
}

/**
 * The happy path in one call: register (unless given a client), log in as
 * `username`, exchange the code. Returns the client, the PKCE pair and the tokens.
 */
export async function obtainTokens(
  baseUrl: string,
  options: {
    client?: RegisteredClient;
    username?: string;
    overrides?: Record<string, string | undefined>;
    /** `/auth` unless told otherwise (e.g. the `/authorize` fallback alias). */
    authorizationPath?: string;
  } = {},
): Promise<{ client: RegisteredClient; pkce: Pkce; tokens: TokenSet; response: JsonResponse }> {
  const client = options.client ?? (await registerClient(baseUrl));
  const pkce = createPkce();
  const redirectUri = options.overrides?.redirect_uri ?? client.redirect_uris[0] ?? '';
  const authorization = authorizationUrl(baseUrl, client, pkce, options.overrides, options.authorizationPath);
  const login = await loginWith(authorization, redirectUri, options.username);
  if (login.code === null) throw new Error(`no code: ${login.callback.href}`);
  const response = await postForm(`${baseUrl}/token`, authenticationOf(client), {
    grant_type: 'authorization_code',
    code: login.code,
    redirect_uri: redirectUri,
    code_verifier: pkce.verifier,
  });
  if (response.status !== 200)
    throw new Error(`token exchange failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { client, pkce, tokens: response.body as unknown as TokenSet, response };
}

/** Calls the MCP endpoint with a bearer token (an `initialize` request) and returns the status. */
export async function mcpStatusWith(mcpUrl: string, accessToken: string): Promise<number> {
  const response = await fetch(mcpUrl, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${accessToken}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'raw', version: '1.0.0' },
      },
    }),
  });
  await response.arrayBuffer();
  return response.status;
}

/**
 * Polls until the MCP endpoint answers `expected` for this token, or gives up
 * after a bound: the proxy serves token checks from memory, and a revocation
 * reaches it over the invalidation bus (Redis pub/sub at once, SQLite by
 * polling a revision key a few times a second).
 */
export async function mcpStatusOnceSettled(
  mcpUrl: string,
  accessToken: string,
  expected: number,
): Promise<number> {
  const POLL_INTERVAL_MS = 50;
  const MAX_POLLS = 100;
  let status = await mcpStatusWith(mcpUrl, accessToken);
  for (let poll = 0; poll < MAX_POLLS && status !== expected; poll += 1) {
    await delay(POLL_INTERVAL_MS);
    status = await mcpStatusWith(mcpUrl, accessToken);
  }
  return status;
}

/**
 * A public client revokes a token (RFC 7009 §2.1) and gets the status: 200 with
 * an empty body whether or not anything was revoked (§2.2), so callers check
 * the token afterwards.
 */
export async function revokeAsPublicClient(
  baseUrl: string,
  clientId: string,
  token: string,
  tokenTypeHint?: 'access_token' | 'refresh_token',
): Promise<number> {
  const response = await fetch(`${baseUrl}/token/revocation`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      token,
      client_id: clientId,
      ...(tokenTypeHint === undefined ? {} : { token_type_hint: tokenTypeHint }),
    }).toString(),
  });
  await response.arrayBuffer();
  return response.status;
}
