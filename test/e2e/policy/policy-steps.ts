/**
 * One MCP server behind the proxy with access rules in MCP_AUTH_PROXY_ACCESS_RULES_FILE, and users
 * of different groups at the fake IdP: what the policy tests drive, as users and an operator would.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObservedEvent } from '../../../src/observability/index.ts';
import { startFakeIdp, type FakeIdp, type UserClaims } from '../../support/fake-idp.ts';
import { startMcpFixtureServer, type McpFixtureServer } from '../../support/mcp-fixture-server.ts';
import { readForm, UserAgent } from '../../support/user-agent.ts';
import { TestOAuthClient } from '../../support/sdk-oauth-client.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';

/** Who signs in, and what their IdP says of them. */
export const USERS: Readonly<Record<string, UserClaims>> = {
  // Groups in the id_token, the email only in userinfo (read because rules are set).
  alice: { idToken: { groups: ['finance', 'staff'] }, userinfo: { email: 'alice@example.com' } },
  bob: { idToken: { groups: ['support'] }, userinfo: { email: 'bob@example.com' } },
  // Okta-style: groups only in userinfo.
  carol: { userinfo: { email: 'carol@example.com', groups: ['contractors'] } },
  mallory: { userinfo: { email: 'mallory@elsewhere.test' } },
};

/** The tools the MCP server offers besides the fixture's own (echo, whoami, progress, big). */
export const EXTRA_TOOLS = ['payments_send', 'payments_refund', 'docs_read'];

export const RULES = `
signIn:
  - id: staff-only
    deny: true
    unless: { emailDomain: [example.com] }
    description: This service is for example.com staff.
access:
  - id: contractors-out
    deny: server
    when: { groups: [contractors] }
  - id: finance-payments
    deny: { tools: ['payments_*'] }
    unless: { groups: [finance] }
    description: Ask the finance team for payments.
`;

export interface PolicyProxy {
  readonly proxy: TestProxy;
  readonly idp: FakeIdp;
  readonly mcp: McpFixtureServer;
  readonly events: ObservedEvent[];
  /** Replaces the rules file, as an operator's editor would. */
  writeRules(text: string): Promise<void>;
  close(): Promise<void>;
}

/** The proxy in front of an MCP fixture with EXTRA_TOOLS, reading RULES from a file it watches. */
export async function startPolicyProxy(rules = RULES): Promise<PolicyProxy> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-rules-'));
  const rulesPath = join(dir, 'access-rules.yaml');
  await writeFile(rulesPath, rules);
  const idp = await startFakeIdp({ mode: 'oidc' });
  for (const [username, claims] of Object.entries(USERS)) idp.userClaims.set(username, claims);
  const mcp = await startMcpFixtureServer({
    stateful: true,
    tools: EXTRA_TOOLS,
    validateToken: (bearer) => {
      const user = idp.userForAccessToken(bearer);
      return user === undefined ? undefined : { user };
    },
  });
  const events: ObservedEvent[] = [];
  const proxy = await startTestProxy({
    idp,
    mcp,
    env: { MCP_AUTH_PROXY_ACCESS_RULES_FILE: rulesPath },
    observers: [(event) => events.push(event)],
  });
  return {
    proxy,
    idp,
    mcp,
    events,
    writeRules: (text) => writeFile(rulesPath, text),
    async close() {
      await proxy.close();
      await mcp.close();
      await idp.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Where a browser sign-in the rules refused stopped: the refusal page, and what the link back gives the client. */
export interface RefusedSignIn {
  readonly status: number;
  readonly html: string;
  /** The client's redirect URI, reached by following the page's link back. */
  readonly callback: URL;
}

/**
 * Registers with the SDK, then plays the person through the confirmation and the IdP's login form
 * until the proxy answers with a page that is not a form to fill in: the refusal.
 */
export async function signInUntilRefused(mcpUrl: string, username: string): Promise<RefusedSignIn> {
  const oauth = new TestOAuthClient();
  if ((await auth(oauth, { serverUrl: mcpUrl })) !== 'REDIRECT' || oauth.authorizationUrl === undefined)
    throw new Error('the SDK did not start an authorization');
  const agent = new UserAgent();
  const isCallback = (url: URL) => url.href.startsWith(oauth.redirectUrl);
  let next = await agent.follow(oauth.authorizationUrl, isCallback);
  for (let page = 0; page < 4 && next.response?.status === 200; page += 1) {
    const form = readForm(await next.response.text(), next.final.href);
    if (form.action.pathname.endsWith('/confirm-login')) form.fields.set('confirmed', 'true');
    else form.fields.set('username', username);
    next = await agent.follow(form.action, isCallback, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: form.action.origin },
      body: form.fields.toString(),
    });
  }
  if (next.response === undefined) throw new Error(`the sign-in was not refused: ${next.final.href}`);
  const html = await next.response.text();
  const link = /<a class="button button--primary" href="([^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');
  if (link === undefined) throw new Error(`no link back on the refusal page: ${html}`);
  const back = await agent.follow(new URL(link, next.final), isCallback);
  return { status: next.response.status, html, callback: back.final };
}
