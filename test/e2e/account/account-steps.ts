/**
 * Steps shared by the connected-apps page's end-to-end tests: MCP client
 * applications sign a user in (the SDK's discovery, registration and browser
 * login), then the user opens /account in a browser (a cookie jar that
 * follows redirects), signs in at the IdP and posts the page's forms.
 */
import assert from 'node:assert/strict';
import type { OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { ObservedEvent } from '../../../src/observability/index.ts';
import {
  browse,
  expectStop,
  refreshTokens,
  signInAtIdp,
  type Stop,
} from '../../support/login-bridge-steps.ts';
import { authorizeWithSdk, TestOAuthClient } from '../../support/sdk-oauth-client.ts';
import { startTestProxy, type TestProxy, type TestProxyOptions } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';

/** A proxy and every event it observed. */
export async function startAccountProxy(
  options: TestProxyOptions = {},
): Promise<{ proxy: TestProxy; events: ObservedEvent[] }> {
  const events: ObservedEvent[] = [];
  const proxy = await startTestProxy({ ...options, observers: [(event) => events.push(event)] });
  return { proxy, events };
}

export interface ConnectedClient {
  readonly clientId: string;
  readonly tokens: OAuthTokens;
}

/** One MCP client application, named `clientName`, signs `username` in: a registration and a grant. */
export async function connectApp(
  mcpUrl: string,
  username: string,
  clientName: string,
): Promise<ConnectedClient> {
  const oauth = new TestOAuthClient({ metadata: { client_name: clientName } });
  const { tokens } = await authorizeWithSdk(mcpUrl, oauth, new UserAgent(), { username });
  const clientId = oauth.clientInformation()?.client_id;
  assert.ok(clientId !== undefined);
  return { clientId, tokens };
}

/** The status of a refresh with the client's refresh token: 200, or 400 once its grant is revoked. */
export async function refreshStatus(proxy: TestProxy, client: ConnectedClient): Promise<number> {
  const refreshToken = client.tokens.refresh_token;
  assert.ok(refreshToken !== undefined);
  return (await refreshTokens(proxy.baseUrl, client.clientId, refreshToken, proxy.mcpUrl)).status;
}

/** Where /account's browser hops stop: the IdP, or a page of the proxy (never a client). */
export const targetsOf = (proxy: TestProxy) => ({ idpUrl: proxy.idp.url, redirectUri: 'urn:none' });

/** Opens /account in `agent`, signing in at the IdP as `username` when asked; returns the page. */
export async function openAccountPage(
  proxy: TestProxy,
  agent: UserAgent,
  username: string,
): Promise<Stop & { at: 'page' }> {
  const targets = targetsOf(proxy);
  const stop = await browse(agent, `${proxy.baseUrl}/account`, targets);
  if (stop.at === 'page') return stop;
  const idpCallback = await signInAtIdp(proxy.idp, expectStop(stop, 'idp').url, username);
  return expectStop(await browse(agent, idpCallback, targets), 'page');
}

/** A form of the page: where it posts and its fields. */
export interface PageForm {
  readonly action: URL;
  readonly fields: URLSearchParams;
}

/** The form whose submit button is named `buttonName` (its aria-label, else its text). */
export function formWithButton(page: Stop & { at: 'page' }, buttonName: string): PageForm {
  for (const match of page.html.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)) {
    const body = match[2] ?? '';
    const button = /<button([^>]*)>([\s\S]*?)<\/button>/.exec(body);
    const label = /aria-label="([^"]*)"/.exec(button?.[1] ?? '')?.[1] ?? button?.[2]?.trim();
    if (label === undefined || decode(label) !== buttonName) continue;
    const fields = new URLSearchParams();
    for (const input of body.matchAll(/<input[^>]*name="([^"]*)"[^>]*value="([^"]*)"[^>]*>/g))
      fields.set(input[1] ?? '', decode(input[2] ?? ''));
    return { action: new URL(decode(match[1] ?? ''), page.url), fields };
  }
  throw new Error(`no form with a button named ${JSON.stringify(buttonName)}`);
}

/** Posts a form as the browser does (same-origin), then follows the redirects to the page they end on. */
export async function submit(
  proxy: TestProxy,
  agent: UserAgent,
  form: PageForm,
): Promise<{ response: Response; then: Stop | undefined }> {
  const response = await agent.request(form.action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: form.action.origin },
    body: form.fields.toString(),
  });
  const location = response.headers.get('location');
  if (location === null) return { response, then: undefined };
  await response.arrayBuffer();
  return { response, then: await browse(agent, new URL(location, form.action), targetsOf(proxy)) };
}

/** The names of the apps the page lists: each app is a level-2 heading, the page has no other. */
export function appNames(html: string): string[] {
  return [...html.matchAll(/<h2>([^<]*)<\/h2>/g)].map((match) => decode(match[1] ?? ''));
}

function decode(value: string): string {
  return value
    .replace(/&#34;|&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
