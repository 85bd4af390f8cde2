/**
 * Offboarding through the admin API (docs/admin-api.md), as a SCIM
 * deprovisioning hook drives it: a user signed in through two MCP clients,
 * listed, then cut off in one call. Both clients' next MCP request is refused,
 * their refresh tokens too, their IdP tokens are gone, and another user is
 * untouched. On SQLite with one instance, and on Redis with two instances of
 * one deployment, where the revocation made through one reaches the other.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { ObservedEvent } from '../../../src/observability/index.ts';
import { cleanupStack } from '../../support/login-bridge-steps.ts';
import { mcpStatusOnceSettled, mcpStatusWith } from '../../support/raw-oauth.ts';
import { deleteRedisPrefix } from '../../support/redis-cleanup.ts';
import { freePort } from '../../support/free-port.ts';
import { redisUrlOrSkip, uniqueRedisPrefix } from '../../support/redis.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { adminCall, ADMIN_TOKEN, grantsIn, refreshStatus, signIn, startAdminProxy } from './admin-steps.ts';

/**
 * Drives the whole offboarding: sign-ins and the revocation through `entry`,
 * the listing and the check of the other instance through `other` (the same
 * proxy on SQLite).
 */
async function offboard(entry: TestProxy, other: TestProxy, events: readonly ObservedEvent[]): Promise<void> {
  const entryMcp = `${entry.app.url}/mcp`;
  const otherMcp = `${other.app.url}/mcp`;
  const editor = await signIn(entryMcp, 'alice', 'Editor');
  const terminal = await signIn(entryMcp, 'alice', 'Terminal');
  const colleague = await signIn(entryMcp, 'bob', 'Editor');
  for (const signedIn of [editor, terminal]) {
    assert.equal(await mcpStatusWith(otherMcp, signedIn.tokens.access_token), 200);
  }
  const alice = entry.idp.userIdFor('alice');
  const userPath = `/admin/v1/users/${encodeURIComponent(alice)}/grants`;

  const listed = await adminCall(other.app.url, 'GET', userPath);
  assert.equal(listed.status, 200);
  assert.equal(listed.body['accountId'], alice);
  const grants = grantsIn(listed.body, 'grants');
  assert.deepEqual(grants.map((grant) => grant['clientName']).sort(), ['Editor', 'Terminal']);
  assert.deepEqual(
    grants.map((grant) => grant['clientId']).sort(),
    [editor.clientId, terminal.clientId].sort(),
  );
  for (const grant of grants) {
    assert.equal(grant['accountId'], alice);
    assert.ok((grant['scopes'] as string[]).includes('openid'));
    assert.deepEqual(
      (grant['resources'] as Array<{ resource: string }>).map((entry) => entry.resource),
      [entry.mcpUrl],
    );
    assert.ok(Date.parse(grant['createdAt'] as string) <= Date.now());
    assert.ok(Date.parse(grant['expiresAt'] as string) > Date.now());
  }
  const grantIds = grants.map((grant) => grant['grantId'] as string);
  for (const grantId of grantIds)
    assert.notEqual(await entry.app.store.get(`upstream-tokens:${grantId}`), undefined);

  const revoked = await adminCall(entry.app.url, 'DELETE', userPath);
  assert.equal(revoked.status, 200);
  assert.deepEqual(
    grantsIn(revoked.body, 'revoked')
      .map((grant) => grant['grantId'])
      .sort(),
    [...grantIds].sort(),
  );

  for (const signedIn of [editor, terminal]) {
    assert.equal(await mcpStatusWith(entryMcp, signedIn.tokens.access_token), 401, 'refused at once');
    assert.equal(await mcpStatusOnceSettled(otherMcp, signedIn.tokens.access_token, 401), 401);
    assert.equal(await refreshStatus(entry, signedIn), 400, 'the client must sign the user in again');
  }
  for (const grantId of grantIds)
    assert.equal(await entry.app.store.get(`upstream-tokens:${grantId}`), undefined);
  assert.equal(await mcpStatusWith(entryMcp, colleague.tokens.access_token), 200, 'bob keeps his access');
  assert.equal(await mcpStatusWith(otherMcp, colleague.tokens.access_token), 200);

  const again = await adminCall(entry.app.url, 'DELETE', userPath);
  assert.deepEqual([again.status, again.body], [200, { accountId: alice, revoked: [] }], 'idempotent');
  const after = await adminCall(other.app.url, 'GET', userPath);
  assert.deepEqual(after.body, { accountId: alice, grants: [] });

  // The revocations were made through `entry`, whose events are recorded.
  const revocations = events.flatMap((event) =>
    event.type === 'admin.request' && event.action === 'revoke_user_grants'
      ? [[event.accountId, event.count]]
      : [],
  );
  assert.deepEqual(revocations, [
    [alice, 2],
    [alice, 0],
  ]);
  const byAdmin = events.flatMap((event) =>
    event.type === 'grant.revoked' && event.by === 'admin' ? [event.grantId] : [],
  );
  assert.deepEqual(byAdmin.sort(), [...grantIds].sort());
}

describe('offboarding through the admin API', () => {
  it("lists a user's grants of two clients, revokes them in one call, and both clients' next MCP call gets 401 (SQLite)", async (t) => {
    const defer = cleanupStack(t);
    const { proxy, events } = await startAdminProxy();
    defer(() => proxy.close());
    await offboard(proxy, proxy, events);
  });

  it('revokes through one instance and the other refuses the tokens too, on two instances sharing Redis', async (t: TestContext) => {
    const url = await redisUrlOrSkip(t);
    if (url === undefined) return;
    const defer = cleanupStack(t);
    const prefix = uniqueRedisPrefix('admin-api');
    defer(() => deleteRedisPrefix(url, prefix));
    const port = await freePort();
    const store = { kind: 'redis', url, prefix } as const;
    const { proxy: first, events } = await startAdminProxy({
      store,
      port,
      env: { BASE_URL: `http://127.0.0.1:${port}` },
    });
    defer(() => first.close());
    const second = await startTestProxy({
      store,
      idp: first.idp,
      mcp: first.mcp,
      env: { BASE_URL: first.baseUrl, MCP_AUTH_PROXY_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    defer(() => second.close());
    await offboard(first, second, events);
  });
});
