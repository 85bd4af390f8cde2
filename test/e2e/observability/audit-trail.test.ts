/**
 * The audit trail (src/audit, docs/observability.md#audit-trail) through the
 * real proxy, written to a file (MCP_AUTH_PROXY_AUDIT_LOG): a client's life
 * from registration to revocation, with a step-up and a refused Origin, reads
 * back as the exact sequence of records, each saying who, which client and
 * from where, and none holding a token, code or secret the test saw. An
 * operator's `grants revoke` appends its own record to the same file.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AuditRecord } from '../../../src/audit/index.ts';
import { parseBearerChallenge } from '../../../src/cli/doctor/probe-challenge.ts';
import { requestFrom } from '../../support/from-address.ts';
import {
  authorizationUrl,
  createPkce,
  obtainTokens,
  type Pkce,
  type RegisteredClient,
} from '../../support/raw-oauth.ts';
import { initializeRaw } from '../proxy/proxy-steps.ts';
import { loginInBrowser } from '../../support/sdk-oauth-client.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { runInProcess } from '../../integration/cli/cli-harness.ts';

const STEP_UP_ENV = {
  PROVIDER_SCOPE: 'openid offline_access notes:read notes:write',
  MCP_AUTH_PROXY_SCOPE_RULES: 'tools/call who*=notes:write',
};
const CLIENT_NAME = 'Audit Trail Client';
const CLIENT_AGENT = 'audit-test-client/1.0';
const BROWSER_AGENT = 'audit-test-browser/1.0';
const REDIRECT_URI = 'http://127.0.0.1:33418/callback';

/** A browser that names itself, gives each request its own id, and keeps every code, state and cookie it meets. */
class RecordingBrowser extends UserAgent {
  readonly requests: Array<{ id: string; url: URL; method: string }> = [];
  readonly secrets: string[] = [];

  override async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const id = `browser-${this.requests.length + 1}`;
    this.requests.push({ id, url: target, method: init.method ?? 'GET' });
    for (const name of ['code', 'state', 'nonce', 'code_challenge']) {
      const value = target.searchParams.get(name);
      if (value !== null) this.secrets.push(value);
    }
    const headers = new Headers(init.headers);
    headers.set('user-agent', BROWSER_AGENT);
    headers.set('x-request-id', id);
    const response = await super.request(target, { ...init, headers });
    for (const cookie of response.headers.getSetCookie()) {
      const value = cookie.split(';')[0]?.split('=').slice(1).join('=');
      if (value !== undefined && value !== '') this.secrets.push(value);
    }
    const location = response.headers.get('location');
    if (location !== null) {
      for (const name of ['code', 'state']) {
        const value = new URL(location, target).searchParams.get(name);
        if (value !== null) this.secrets.push(value);
      }
    }
    return response;
  }

  /** The id of the one request whose path matches. */
  idOf(method: string, path: RegExp): string {
    const matches = this.requests.filter(
      (request) => request.method === method && path.test(request.url.pathname),
    );
    assert.equal(matches.length, 1, `one ${method} ${path.source}`);
    return matches[0]?.id ?? '';
  }
}

/** A request as the MCP client application sends it: its own user agent and request id. */
async function clientRequest(url: string, requestId: string, init: RequestInit): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('user-agent', CLIENT_AGENT);
  headers.set('x-request-id', requestId);
  return await fetch(url, { ...init, headers });
}

const basic = (client: RegisteredClient & { client_secret: string }) =>
  `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`).toString('base64')}`;

async function tokenRequest(
  proxy: TestProxy,
  client: RegisteredClient & { client_secret: string },
  requestId: string,
  params: Record<string, string>,
  path = '/token',
): Promise<{ status: number; body: Record<string, string> }> {
  const response = await clientRequest(`${proxy.baseUrl}${path}`, requestId, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client) },
    body: new URLSearchParams(params).toString(),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, string>) };
}

async function signIn(proxy: TestProxy, client: RegisteredClient, username: string) {
  const browser = new RecordingBrowser();
  const pkce: Pkce = createPkce();
  const login = await loginInBrowser(
    browser,
    authorizationUrl(proxy.baseUrl, client, pkce, { scope: 'openid offline_access' }),
    REDIRECT_URI,
    { username },
  );
  const code = login.callback.searchParams.get('code');
  assert.ok(code !== null, login.callback.href);
  return { browser, pkce, code };
}

async function readRecords(path: string): Promise<Array<AuditRecord & Record<string, unknown>>> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditRecord & Record<string, unknown>);
}

describe('the audit trail in a file, through the real proxy', () => {
  let proxy: TestProxy;
  let dir: string;
  let auditPath: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-audit-'));
    auditPath = join(dir, 'audit.jsonl');
    proxy = await startTestProxy({
      env: { ...STEP_UP_ENV, MCP_AUTH_PROXY_AUDIT_LOG: auditPath },
      store: { kind: 'sqlite', dir },
    });
  });
  after(async () => {
    await proxy.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('records registration, confirmation, sign-in, tokens, step-up, refresh, revocation and a refused Origin, in order, with who and where, and no secret', async () => {
    const registered = await clientRequest(`${proxy.baseUrl}/reg`, 'client-register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: CLIENT_NAME,
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      }),
    });
    assert.equal(registered.status, 201);
    const client = (await registered.json()) as RegisteredClient & { client_secret: string };
    const { browser, pkce, code } = await signIn(proxy, client, 'alice');
    const { body: tokens } = await tokenRequest(proxy, client, 'client-code', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: pkce.verifier,
    });
    const accessToken = tokens['access_token'] ?? '';
    const refreshToken = tokens['refresh_token'] ?? '';

    const mcpHeaders = {
      authorization: `Bearer ${accessToken}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    const initialize = await clientRequest(proxy.mcpUrl, 'client-initialize', {
      method: 'POST',
      headers: mcpHeaders,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'audit', version: '1' },
        },
      }),
    });
    assert.equal(initialize.status, 200);
    await initialize.arrayBuffer();
    const stepUp = await clientRequest(proxy.mcpUrl, 'client-step-up', {
      method: 'POST',
      headers: mcpHeaders,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'whoami', arguments: {} },
      }),
    });
    assert.equal(stepUp.status, 403);
    await stepUp.arrayBuffer();
    const challenged = parseBearerChallenge(stepUp.headers.get('www-authenticate'));

    // As an MCP SDK 1.x client does after the 403: a refresh, refused once (step-up-refresh-refusal.ts), then another.
    const refusedRefresh = await tokenRequest(proxy, client, 'client-refresh-refused', {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
    assert.equal(refusedRefresh.status, 400);
    const refreshed = (
      await tokenRequest(proxy, client, 'client-refresh', {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      })
    ).body;
    assert.ok(refreshed['refresh_token'] !== undefined);
    const revocation = await tokenRequest(
      proxy,
      client,
      'client-revoke',
      { token: refreshed['refresh_token'], token_type_hint: 'refresh_token' },
      '/token/revocation',
    );
    assert.equal(revocation.status, 200);
    // Sent from another loopback address, with an X-Forwarded-For that LOCAL_INSECURE=true must not trust.
    const refused = await requestFrom('127.0.0.7', proxy.mcpUrl, {
      method: 'POST',
      headers: {
        ...mcpHeaders,
        origin: 'https://attacker.example',
        'x-forwarded-for': '203.0.113.9',
        'user-agent': BROWSER_AGENT,
        'x-request-id': 'foreign-origin',
      },
      body: '{}',
    });
    assert.equal(refused.status, 403);
    // Closing the proxy writes every pending record.
    await proxy.stop();

    const records = await readRecords(auditPath);
    assert.deepEqual(
      records.map((record) => record.event),
      [
        'audit.client_registered',
        'audit.confirmation_accepted',
        'audit.signin_succeeded',
        'audit.token_issued',
        'audit.step_up_challenged',
        'audit.token_issued',
        'audit.grant_revoked',
        'audit.token_revoked',
        'audit.origin_refused',
      ],
    );
    const alice = proxy.idp.userIdFor('alice');
    const grantId = records[2]?.grantId;
    assert.ok(typeof grantId === 'string' && grantId !== '');
    const common = {
      logType: 'audit',
      auditVersion: 1,
      source: 'proxy',
      app: 'mcp-auth-proxy',
      address: '127.0.0.1',
    };
    const fromClient = {
      ...common,
      clientId: client.client_id,
      clientName: CLIENT_NAME,
      userAgent: CLIENT_AGENT,
    };
    const fromBrowser = {
      ...common,
      clientId: client.client_id,
      clientName: CLIENT_NAME,
      userAgent: BROWSER_AGENT,
    };
    const expected = [
      { ...fromClient, registration: 'dynamic', requestId: 'client-register' },
      { ...fromBrowser, requestId: browser.idOf('POST', /\/confirm-login$/) },
      {
        ...fromBrowser,
        accountId: alice,
        grantId,
        requestId: browser.idOf('GET', /^\/interaction\/[^/]+\/identity\/callback$/),
      },
      { ...fromClient, accountId: alice, grantId, grantType: 'authorization_code', requestId: 'client-code' },
      {
        ...fromClient,
        accountId: alice,
        grantId,
        scopes: challenged?.scope?.split(' '),
        requestId: 'client-step-up',
      },
      { ...fromClient, accountId: alice, grantId, grantType: 'refresh_token', requestId: 'client-refresh' },
      { ...fromClient, accountId: alice, grantId, by: 'client', requestId: 'client-revoke' },
      { ...fromClient, accountId: alice, grantId, requestId: 'client-revoke' },
      {
        ...common,
        address: '127.0.0.7',
        origin: 'https://attacker.example',
        host: new URL(proxy.baseUrl).host,
        userAgent: BROWSER_AGENT,
        requestId: 'foreign-origin',
      },
    ];
    records.forEach((record, index) => {
      const { event: _event, time, environment, ...fields } = record;
      assert.ok(!Number.isNaN(Date.parse(time)), 'time is an ISO 8601 instant');
      assert.equal(typeof environment, 'string');
      assert.deepEqual(fields, expected[index], `record ${index + 1}: ${record.event}`);
    });

    const written = JSON.stringify(records);
    const idpAccessTokens = proxy.mcp.seenAuthorizations.map((header) => header.replace(/^Bearer /i, ''));
    const seen = [
      accessToken,
      refreshToken,
      refreshed['access_token'],
      refreshed['refresh_token'],
      tokens['id_token'],
      code,
      pkce.verifier,
      client.client_secret,
      proxy.idp.clientSecret,
      ...idpAccessTokens,
      ...browser.secrets,
    ];
    assert.ok(
      idpAccessTokens.length > 0 && browser.secrets.length > 4,
      'the test saw the secrets it checks for',
    );
    seen.forEach((secret, index) => {
      assert.ok(secret !== undefined && secret.length >= 8, `secret ${index} was seen`);
      assert.ok(!written.includes(secret), `no record holds secret ${index}`);
    });
    assert.equal((await stat(auditPath)).mode & 0o777, 0o600, 'the file is created for its owner only');
  });

  it("appends an operator's `grants revoke` to the same file, marked by: operator, with the user and the client", async () => {
    // The first test stopped its proxy; this one starts on the same store and file.
    await proxy.close();
    proxy = await startTestProxy({
      env: { MCP_AUTH_PROXY_AUDIT_LOG: auditPath },
      store: { kind: 'sqlite', dir },
    });
    const registered = await clientRequest(`${proxy.baseUrl}/reg`, 'client-register-bob', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Operator Test Client', redirect_uris: [REDIRECT_URI] }),
    });
    const client = (await registered.json()) as RegisteredClient;
    await signIn(proxy, client, 'bob');
    await proxy.stop();
    const before = (await readRecords(auditPath)).length;
    const grantId = (await readRecords(auditPath)).at(-1)?.grantId;
    assert.ok(typeof grantId === 'string');

    const revoked = await runInProcess(['grants', 'revoke', grantId], { cwd: dir, env: proxy.env });
    assert.equal(revoked.code, 0, revoked.stderr);
    const records = await readRecords(auditPath);
    assert.equal(records.length, before + 1);
    const { time: _time, osUser, ...operator } = records.at(-1) ?? ({} as AuditRecord);
    assert.equal(typeof osUser, 'string');
    assert.deepEqual(operator, {
      logType: 'audit',
      auditVersion: 1,
      app: 'mcp-auth-proxy',
      environment: records[0]?.environment,
      event: 'audit.grant_revoked',
      source: 'cli',
      accountId: proxy.idp.userIdFor('bob'),
      clientId: client.client_id,
      clientName: 'Operator Test Client',
      grantId,
      by: 'operator',
    });
  });
});

describe('the audit trail of a grant the proxy revokes itself', () => {
  it('records the user and the client of a grant revoked because the IdP refused the refresh', async () => {
    const proxy = await startTestProxy();
    let clientId: string;
    try {
      const { client, tokens } = await obtainTokens(proxy.baseUrl, { username: 'carol' });
      clientId = client.client_id;
      proxy.idp.expireAccessTokens();
      proxy.idp.refreshBehaviour = 'invalid_grant';
      const refused = await initializeRaw(proxy.mcpUrl, tokens.access_token);
      assert.equal(refused.status, 401);
      await refused.arrayBuffer();
    } finally {
      await proxy.close();
    }
    const grantRecords = proxy.logs.filter(
      (line) => line['logType'] === 'audit' && line['event'] === 'audit.grant_revoked',
    );
    assert.equal(grantRecords.length, 1);
    const { time: _time, requestId, ...record } = grantRecords[0] ?? {};
    assert.deepEqual(record, {
      level: 30,
      app: 'test',
      environment: 'test',
      logType: 'audit',
      auditVersion: 1,
      event: 'audit.grant_revoked',
      source: 'proxy',
      accountId: proxy.idp.userIdFor('carol'),
      clientId,
      clientName: 'Raw OAuth Test Client',
      grantId: record['grantId'],
      by: 'refresh_refused',
      msg: 'audit.grant_revoked',
    });
    assert.equal(requestId, undefined, 'told by the token vault, which has no request');
    assert.equal(typeof record['grantId'], 'string');
  });
});
