/**
 * The admin API's calls on one grant and on clients (docs/admin-api.md):
 * read and revoke one grant, narrow a user's grants to one client, and list
 * the registered clients with what they hold. Revoking one grant ends that
 * client's access only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mcpStatusWith } from '../../support/raw-oauth.ts';
import type { TestProxy } from '../../support/test-proxy.ts';
import type { ObservedEvent } from '../../../src/observability/index.ts';
import { adminCall, grantsIn, refreshStatus, signIn, startAdminProxy, type SignedIn } from './admin-steps.ts';

describe('admin API calls on grants and clients', () => {
  let proxy: TestProxy;
  let events: ObservedEvent[];
  let editor: SignedIn;
  let terminal: SignedIn;
  let alice: string;

  before(async () => {
    ({ proxy, events } = await startAdminProxy());
    editor = await signIn(proxy.mcpUrl, 'alice', 'Editor');
    terminal = await signIn(proxy.mcpUrl, 'alice', 'Terminal');
    alice = proxy.idp.userIdFor('alice');
  });
  after(() => proxy.close());

  async function grantOf(signedIn: SignedIn): Promise<Record<string, unknown>> {
    const path = `/admin/v1/users/${encodeURIComponent(alice)}/grants?client_id=${encodeURIComponent(signedIn.clientId)}`;
    const { status, body } = await adminCall(proxy.baseUrl, 'GET', path);
    assert.equal(status, 200);
    const grants = grantsIn(body, 'grants');
    assert.equal(grants.length, 1, 'client_id narrows the list to that client');
    return grants[0]!;
  }

  it("narrows a user's grants to one client with ?client_id=, and refuses an empty one", async () => {
    const grant = await grantOf(editor);
    assert.equal(grant['clientId'], editor.clientId);
    assert.equal(grant['clientName'], 'Editor');
    const empty = await adminCall(proxy.baseUrl, 'GET', `/admin/v1/users/${alice}/grants?client_id=`);
    assert.equal(empty.status, 400);
    assert.equal(empty.body['error'], 'invalid_request');
  });

  it('reads one grant by its id, and answers 404 for an unknown one', async () => {
    const listed = await grantOf(terminal);
    const read = await adminCall(proxy.baseUrl, 'GET', `/admin/v1/grants/${String(listed['grantId'])}`);
    assert.deepEqual([read.status, read.body], [200, { grant: listed }]);
    const unknown = await adminCall(proxy.baseUrl, 'GET', '/admin/v1/grants/no-such-grant');
    assert.deepEqual([unknown.status, unknown.body['error']], [404, 'not_found']);
  });

  it('lists the registered clients with their names, redirect URIs, kind of registration and grants', async () => {
    const { status, body } = await adminCall(proxy.baseUrl, 'GET', '/admin/v1/clients');
    assert.equal(status, 200);
    const clients = body['clients'] as Array<Record<string, unknown>>;
    const ours = clients.filter((client) =>
      [editor.clientId, terminal.clientId].includes(client['clientId'] as string),
    );
    assert.deepEqual(
      ours
        .map((client) => [
          client['clientName'],
          client['registration'],
          client['redirectUris'],
          client['grants'],
        ])
        .sort(),
      [
        ['Editor', 'dynamic', ['http://127.0.0.1:33418/callback'], 1],
        ['Terminal', 'dynamic', ['http://127.0.0.1:33418/callback'], 1],
      ],
    );
    for (const client of ours) assert.ok(Date.parse(client['createdAt'] as string) <= Date.now());
    const recorded = events.findLast((event) => event.type === 'admin.request');
    assert.equal(recorded?.type === 'admin.request' && recorded.action, 'list_clients');
  });

  it("revokes one grant: that client's next MCP call gets 401, the user's other client keeps working", async () => {
    const grant = await grantOf(editor);
    const grantId = String(grant['grantId']);
    const revoked = await adminCall(proxy.baseUrl, 'DELETE', `/admin/v1/grants/${grantId}`);
    assert.deepEqual([revoked.status, revoked.body], [200, { revoked: [grant] }]);
    assert.equal(await mcpStatusWith(proxy.mcpUrl, editor.tokens.access_token), 401);
    assert.equal(await refreshStatus(proxy, editor), 400);
    assert.equal(await mcpStatusWith(proxy.mcpUrl, terminal.tokens.access_token), 200);

    const again = await adminCall(proxy.baseUrl, 'DELETE', `/admin/v1/grants/${grantId}`);
    assert.deepEqual([again.status, again.body['error']], [404, 'not_found'], 'nothing left to revoke');
    const clients = (await adminCall(proxy.baseUrl, 'GET', '/admin/v1/clients')).body['clients'] as Array<
      Record<string, unknown>
    >;
    assert.equal(clients.find((client) => client['clientId'] === editor.clientId)?.['grants'], 0);
    const audited = events.filter((event) => event.type === 'grant.revoked' && event.by === 'admin');
    assert.deepEqual(
      audited.map(
        (event) => event.type === 'grant.revoked' && [event.grantId, event.accountId, event.clientId],
      ),
      [[grantId, alice, editor.clientId]],
    );
  });

  it('has written an audit record of each call and of the revoked grant, with who asked from where', async () => {
    await proxy.stop(); // flushes the audit trail
    const audit = proxy.logs.filter((line) => line['logType'] === 'audit');
    const calls = audit.filter((line) => line['event'] === 'audit.admin_request');
    assert.deepEqual(
      calls.map((line) => line['action']),
      [
        'list_user_grants',
        'list_user_grants',
        'read_grant',
        'list_clients',
        'list_user_grants',
        'revoke_grant',
        'list_clients',
      ],
    );
    const revokeCall = calls.find((line) => line['action'] === 'revoke_grant');
    assert.equal(revokeCall?.['count'], 1);
    assert.equal(revokeCall?.['address'], '127.0.0.1');
    const revoked = audit.filter((line) => line['event'] === 'audit.grant_revoked');
    assert.deepEqual(
      revoked.map((line) => [
        line['by'],
        line['accountId'],
        line['clientId'],
        line['clientName'],
        line['source'],
      ]),
      [['admin', alice, editor.clientId, 'Editor', 'proxy']],
    );
    assert.equal(revoked[0]?.['requestId'], revokeCall?.['requestId'], 'one request, one id');
  });
});
