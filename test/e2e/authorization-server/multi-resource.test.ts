/**
 * One authorization server for several MCP servers (RFC 8707 resource
 * indicators): each server is a protected resource with its own metadata,
 * scopes and audience; one authorization may name several, and its code and
 * refresh token are then exchanged for a token narrowed to one of them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  authenticationOf,
  authorizationUrl,
  createPkce,
  loginWith,
  mcpStatusWith,
  obtainTokens,
  postForm,
  readJson,
  registerClient,
  type RegisteredClient,
  type TokenAnswer,
} from '../../support/raw-oauth.ts';
import type { TestProxy } from '../../support/test-proxy.ts';
import { TICKETS_DEFAULT_SCOPES, accessOf, sorted, startTwoServerProxy } from './two-servers.ts';

const NOTES_DEFAULT_SCOPES = ['notes:read', 'offline_access', 'openid'];

describe('one authorization server for two MCP servers', () => {
  let proxy: TestProxy;
  let notes: string;
  let tickets: string;
  let client: RegisteredClient;
  before(async () => {
    ({ proxy, notes, tickets } = await startTwoServerProxy());
    client = await registerClient(proxy.baseUrl);
  });
  after(async () => {
    await proxy.close();
  });

  const redirectUri = () => client.redirect_uris[0] ?? '';

  /** Signs in through an authorization request naming `resources` (each as its own parameter). */
  async function authorize(resources: readonly string[], scope?: string) {
    const pkce = createPkce();
    const url = authorizationUrl(proxy.baseUrl, client, pkce, { scope });
    for (const resource of resources) url.searchParams.append('resource', resource);
    const login = await loginWith(url, redirectUri());
    assert.ok(login.code, login.callback.href);
    return { code: login.code, verifier: pkce.verifier };
  }

  const token = (params: Record<string, string>) =>
    postForm<TokenAnswer>(`${proxy.baseUrl}/token`, authenticationOf(client), params);

  const exchange = (grant: { code: string; verifier: string }, resource?: string) =>
    token({
      grant_type: 'authorization_code',
      code: grant.code,
      redirect_uri: redirectUri(),
      code_verifier: grant.verifier,
      ...(resource === undefined ? {} : { resource }),
    });

  const refresh = (refreshToken: string | undefined, resource?: string) =>
    token({
      grant_type: 'refresh_token',
      refresh_token: refreshToken ?? '',
      ...(resource === undefined ? {} : { resource }),
    });

  async function assertTokenFor(
    answer: { status: number; body: TokenAnswer },
    resource: string,
    scopes: string[],
  ) {
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(sorted(answer.body.scope), scopes);
    const access = await accessOf(proxy, answer.body.access_token);
    assert.equal(access.resource, resource);
    assert.deepEqual([...access.scopes].sort(), scopes);
  }

  it("serves each server's protected resource metadata at its own well-known path", async () => {
    const read = async (path: string) => {
      const response = await fetch(`${proxy.baseUrl}/.well-known/oauth-protected-resource${path}`);
      assert.equal(response.status, 200, path);
      return (await response.json()) as Record<string, unknown>;
    };
    const ticketsMetadata = await read('/tickets/mcp');
    assert.equal(ticketsMetadata.resource, tickets);
    assert.deepEqual(ticketsMetadata.authorization_servers, [proxy.baseUrl]);
    assert.deepEqual(ticketsMetadata.scopes_supported, ['openid', 'tickets:read']);
    assert.equal(ticketsMetadata.resource_name, 'Tickets');
    const notesMetadata = await read('/mcp');
    assert.equal(notesMetadata.resource, notes);
    assert.deepEqual(notesMetadata.scopes_supported, ['openid', 'notes:read']);
    assert.deepEqual(await read(''), notesMetadata, 'the bare path serves the first server');
    const unknown = await fetch(`${proxy.baseUrl}/.well-known/oauth-protected-resource/other/mcp`);
    await unknown.arrayBuffer();
    assert.equal(unknown.status, 404);
  });

  it("binds a token to the server the client names, with that server's scopes, and the other server refuses it", async () => {
    const { tokens } = await obtainTokens(proxy.baseUrl, {
      client,
      overrides: { scope: undefined, resource: tickets },
    });
    assert.deepEqual(sorted(tokens.scope), [...TICKETS_DEFAULT_SCOPES].sort());
    const access = await accessOf(proxy, tokens.access_token);
    assert.equal(access.resource, tickets);
    assert.deepEqual([...access.scopes].sort(), [...TICKETS_DEFAULT_SCOPES].sort());
    assert.equal(await mcpStatusWith(notes, tokens.access_token), 401);
  });

  it('binds a token to the first server when the client names none', async () => {
    const { tokens } = await obtainTokens(proxy.baseUrl, { client, overrides: { scope: undefined } });
    assert.deepEqual(sorted(tokens.scope), NOTES_DEFAULT_SCOPES);
    assert.equal((await accessOf(proxy, tokens.access_token)).resource, notes);
    assert.equal(await mcpStatusWith(notes, tokens.access_token), 200);
  });

  it('keeps of the requested scopes those the named server knows', async () => {
    const { tokens } = await obtainTokens(proxy.baseUrl, {
      client,
      overrides: { scope: 'openid tickets:write notes:read', resource: tickets },
    });
    assert.deepEqual(sorted(tokens.scope), ['openid', 'tickets:write']);
  });

  it('grants each server of one authorization its default scopes, and narrows the code exchange and each refresh to one server', async () => {
    const grant = await authorize([notes, tickets]);
    const forTickets = await exchange(grant, tickets);
    await assertTokenFor(forTickets, tickets, [...TICKETS_DEFAULT_SCOPES].sort());

    const forNotes = await refresh(forTickets.body.refresh_token, notes);
    await assertTokenFor(forNotes, notes, NOTES_DEFAULT_SCOPES);
    assert.equal(await mcpStatusWith(notes, forNotes.body.access_token ?? ''), 200);

    const ticketsAgain = await refresh(forNotes.body.refresh_token, tickets);
    await assertTokenFor(ticketsAgain, tickets, [...TICKETS_DEFAULT_SCOPES].sort());
  });

  it('gives each server of one authorization the requested scopes it knows', async () => {
    const grant = await authorize([notes, tickets], 'openid offline_access tickets:write');
    // oidc-provider drops offline_access from a request without prompt=consent; refresh tokens come anyway.
    const forNotes = await exchange(grant, notes);
    await assertTokenFor(forNotes, notes, ['openid']);
    const forTickets = await refresh(forNotes.body.refresh_token, tickets);
    await assertTokenFor(forTickets, tickets, ['openid', 'tickets:write']);
  });

  it('issues a token for the first server asked for when the token request names none', async () => {
    const grant = await authorize([tickets, notes]);
    const first = await exchange(grant);
    await assertTokenFor(first, tickets, [...TICKETS_DEFAULT_SCOPES].sort());
    await assertTokenFor(
      await refresh(first.body.refresh_token),
      tickets,
      [...TICKETS_DEFAULT_SCOPES].sort(),
    );
  });

  it('refuses an unknown resource among known ones with invalid_target at /auth', async () => {
    const url = authorizationUrl(proxy.baseUrl, client, createPkce(), { state: 'unknown' });
    url.searchParams.append('resource', notes);
    url.searchParams.append('resource', `${proxy.baseUrl}/other/mcp`);
    const response = await fetch(url, { redirect: 'manual' });
    await response.arrayBuffer();
    const location = new URL(response.headers.get('location') ?? '');
    assert.equal(`${location.origin}${location.pathname}`, redirectUri());
    assert.equal(location.searchParams.get('error'), 'invalid_target');
    assert.equal(location.searchParams.get('state'), 'unknown');
  });

  it('refuses at the token endpoint a server the authorization did not name, an unknown one, and several at once', async () => {
    for (const resource of [tickets, `${proxy.baseUrl}/other/mcp`]) {
      const answer = await exchange(await authorize([notes]), resource);
      assert.equal(answer.status, 400, resource);
      assert.equal(answer.body.error, 'invalid_target', resource);
    }
    const grant = await authorize([notes, tickets]);
    // A public client: its client_id in the form is its whole authentication.
    const both = await readJson<TokenAnswer>(
      await fetch(`${proxy.baseUrl}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams([
          ['grant_type', 'authorization_code'],
          ['client_id', client.client_id],
          ['code', grant.code],
          ['redirect_uri', redirectUri()],
          ['code_verifier', grant.verifier],
          ['resource', notes],
          ['resource', tickets],
        ]).toString(),
      }),
    );
    assert.equal(both.status, 400);
    assert.equal(both.body.error, 'invalid_target');
  });
});
