import { randomBytes } from 'node:crypto';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { type UserAgent, readForm } from './user-agent.ts';

/**
 * An in-memory OAuthClientProvider, as an MCP client application implements
 * one: it keeps the registration, PKCE verifier and tokens, and hands the
 * authorization URL to a "browser" (our UserAgent) instead of opening one.
 */
export class TestOAuthClient implements OAuthClientProvider {
  readonly redirectUrl: string;
  readonly #metadata: OAuthClientMetadata;
  #clientInformation: OAuthClientInformationMixed | undefined;
  #tokens: OAuthTokens | undefined;
  #codeVerifier: string | undefined;
  #state = randomBytes(16).toString('base64url');
  authorizationUrl: URL | undefined;

  constructor(options: { redirectUrl?: string; metadata?: Partial<OAuthClientMetadata> } = {}) {
    this.redirectUrl = options.redirectUrl ?? 'http://127.0.0.1:33418/callback';
    this.#metadata = {
      client_name: 'Test MCP Client',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      ...options.metadata,
    };
  }

  get clientMetadata(): OAuthClientMetadata {
    return this.#metadata;
  }
  state(): string {
    return this.#state;
  }
  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.#clientInformation;
  }
  saveClientInformation(info: OAuthClientInformationMixed): void {
    this.#clientInformation = info;
  }
  tokens(): OAuthTokens | undefined {
    return this.#tokens;
  }
  saveTokens(tokens: OAuthTokens): void {
    this.#tokens = tokens;
  }
  redirectToAuthorization(url: URL): void {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string): void {
    this.#codeVerifier = verifier;
  }
  codeVerifier(): string {
    if (this.#codeVerifier === undefined) throw new Error('no code verifier saved');
    return this.#codeVerifier;
  }
}

export interface BrowserLoginOptions {
  /** The IdP user name to type at the test IdP's login form. */
  username: string;
  /** Tick the box and continue on the confirmation page (default true). */
  confirm?: boolean;
}

export interface BrowserLoginResult {
  /** The client's redirect URI as finally reached, with code/state/iss or error. */
  callback: URL;
  /** Whether the confirmation page was shown on the way. */
  confirmationShown: boolean;
  /** The confirmation page's HTML, when it was shown. */
  confirmationPage: string | undefined;
}

/**
 * Plays the person at the browser: from the authorization URL through the
 * confirmation page and the IdP login form to the client's redirect URI.
 */
export async function loginInBrowser(
  agent: UserAgent,
  authorizationUrl: URL,
  redirectUri: string,
  options: BrowserLoginOptions,
): Promise<BrowserLoginResult> {
  const isCallback = (url: URL) => url.href.startsWith(redirectUri);
  let confirmationShown = false;
  let confirmationPage: string | undefined;
  let next = await agent.follow(authorizationUrl, isCallback);
  for (let page = 0; page < 4 && next.response !== undefined; page += 1) {
    const html = await next.response.text();
    if (next.response.status !== 200)
      throw new Error(`login stopped at ${next.final.href}: ${next.response.status} ${html}`);
    const form = readForm(html, next.final.href);
    if (form.action.pathname.endsWith('/confirm-login')) {
      confirmationShown = true;
      confirmationPage = html;
      if (options.confirm !== false) form.fields.set('confirmed', 'true');
    } else {
      form.fields.set('username', options.username);
    }
    next = await agent.follow(form.action, isCallback, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: form.action.origin },
      body: form.fields.toString(),
    });
  }
  if (next.response !== undefined) throw new Error(`login did not reach the client: ${next.final.href}`);
  return { callback: next.final, confirmationShown, confirmationPage };
}

/**
 * The whole SDK flow: discovery, registration, browser login, code exchange.
 * `fetchFn` is what the SDK sends its own requests with (e.g. one that records every status).
 */
export async function authorizeWithSdk(
  serverUrl: string,
  client: TestOAuthClient,
  agent: UserAgent,
  login: BrowserLoginOptions,
  fetchFn?: FetchLike,
): Promise<BrowserLoginResult & { tokens: OAuthTokens }> {
  const sdkFetch = fetchFn === undefined ? {} : { fetchFn };
  const first = await auth(client, { serverUrl, ...sdkFetch });
  if (first !== 'REDIRECT' || client.authorizationUrl === undefined)
    throw new Error(`unexpected auth result ${first}`);
  const result = await loginInBrowser(agent, client.authorizationUrl, client.redirectUrl, login);
  const code = result.callback.searchParams.get('code');
  if (code === null) throw new Error(`no code in ${result.callback.href}`);
  const second = await auth(client, { serverUrl, authorizationCode: code, ...sdkFetch });
  const tokens = client.tokens();
  if (second !== 'AUTHORIZED' || tokens === undefined) throw new Error(`unexpected auth result ${second}`);
  return { ...result, tokens };
}
