/**
 * Token checks on the MCP path are served from memory after the first
 * (src/access-cache), and a revocation still takes effect within one second on
 * every instance: two instances on one Redis (pub/sub), one instance on SQLite
 * (at once), and a `grants revoke` from another process on the SQLite file
 * (the store-polling bus).
 *
 * "Within one second" is the requirement, so those waits are bounded
 * by it; the bus delivers in milliseconds, the cache would otherwise keep a
 * verdict for 30 s.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { announceGrantsRevoked, listGrants, revokeGrant } from '../../src/grants/index.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { oidcRecordKey } from '../../src/store/index.ts';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { startFakeIdp } from '../support/fake-idp.ts';
import { freePort } from '../support/free-port.ts';
import { startMcpFixtureServer } from '../support/mcp-fixture-server.ts';
import { deleteRedisPrefix } from '../support/redis-cleanup.ts';
import { redisUrlOrSkip, uniqueRedisPrefix } from '../support/redis.ts';
import { startTestProxy } from '../support/test-proxy.ts';
import { initializeRaw, logIn } from './proxy/proxy-steps.ts';

/**
 * The design target is one second (docs/benchmarks.md); the test allows five so that a loaded CI machine
 * cannot make it flaky. That is still far below the cache's 30 s lifetime, so passing proves the
 * invalidation message did the work, not the expiry.
 */
const REVOCATION_DEADLINE_MS = 5_000;

/** Registers cleanups, run last-in first-out after the test. */
function deferrals(t: TestContext): (cleanup: () => unknown) => void {
  const cleanups: (() => unknown)[] = [];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  return (cleanup) => cleanups.push(cleanup);
}

async function backends(defer: (cleanup: () => unknown) => void) {
  const idp = await startFakeIdp({ mode: 'oidc' });
  defer(() => idp.close());
  const mcp = await startMcpFixtureServer({
    stateful: true,
    validateToken: (bearer) => {
      const user = idp.userForAccessToken(bearer);
      return user === undefined ? undefined : { user };
    },
  });
  defer(() => mcp.close());
  return { idp, mcp };
}

async function status(mcpUrl: string, accessToken: string): Promise<number> {
  const response = await initializeRaw(mcpUrl, accessToken);
  await response.arrayBuffer();
  return response.status;
}

/** Asks until the proxy refuses the token; fails when that takes longer than the deadline. */
async function refusedWithin(mcpUrl: string, accessToken: string, deadlineMs: number): Promise<void> {
  const startedMs = performance.now();
  for (;;) {
    const answer = await status(mcpUrl, accessToken);
    if (answer === 401) return;
    assert.equal(answer, 200);
    const elapsedMs = performance.now() - startedMs;
    assert.ok(elapsedMs < deadlineMs, `still accepted ${elapsedMs.toFixed(0)} ms after the revocation`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** RFC 7009 revocation at the proxy's own endpoint, as the client that holds the token. */
async function revoke(baseUrl: string, clientId: string, token: string): Promise<void> {
  const response = await fetch(`${baseUrl}/token/revocation`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, client_id: clientId }).toString(),
  });
  assert.equal(response.status, 200, await response.text());
}

describe('access cache', () => {
  it('serves token checks from memory on two Redis instances and drops them on both within a second of a revocation', async (t) => {
    const url = await redisUrlOrSkip(t);
    if (url === undefined) return;
    const defer = deferrals(t);
    const prefix = uniqueRedisPrefix('access-cache');
    defer(() => deleteRedisPrefix(url, prefix));
    const { idp, mcp } = await backends(defer);
    // Two instances of one deployment: one issuer (BASE_URL), one Redis, their own ports.
    const port = await freePort();
    const store = { kind: 'redis', url, prefix } as const;
    const env = { BASE_URL: `http://127.0.0.1:${port}` };
    const first = await startTestProxy({ store, idp, mcp, env, port });
    defer(() => first.close());
    const second = await startTestProxy({ store, idp, mcp, env });
    defer(() => second.close());
    const firstMcp = `${first.app.url}/mcp`;
    const secondMcp = `${second.app.url}/mcp`;

    const { oauth, tokens } = await logIn(firstMcp, 'alice');
    assert.equal(await status(firstMcp, tokens.access_token), 200);
    assert.equal(await status(secondMcp, tokens.access_token), 200);

    // Remove the token's record behind the proxies' backs (no announcement): both still accept
    // it, so their checks no longer reach the store.
    const redis = new Redis(url);
    defer(() => redis.quit());
    assert.equal(await redis.del(prefix + oidcRecordKey('AccessToken', tokens.access_token)), 1);
    assert.equal(await status(firstMcp, tokens.access_token), 200);
    assert.equal(await status(secondMcp, tokens.access_token), 200);

    // Revoking the refresh token revokes the grant (oidc-provider): announced by the first
    // instance, heard by the second.
    await revoke(first.baseUrl, oauth.clientInformation()!.client_id, tokens.refresh_token!);
    assert.equal(await status(firstMcp, tokens.access_token), 401, 'the revoking instance refuses at once');
    await refusedWithin(secondMcp, tokens.access_token, REVOCATION_DEADLINE_MS);
  });

  it('refuses a revoked access token on the very next request of a single SQLite instance', async (t) => {
    const defer = deferrals(t);
    const { idp, mcp } = await backends(defer);
    const proxy = await startTestProxy({ idp, mcp });
    defer(() => proxy.close());
    const { oauth, tokens } = await logIn(proxy.mcpUrl, 'bob');
    assert.equal(await status(proxy.mcpUrl, tokens.access_token), 200);
    assert.equal(await status(proxy.mcpUrl, tokens.access_token), 200);
    await revoke(proxy.baseUrl, oauth.clientInformation()!.client_id, tokens.access_token);
    assert.equal(await status(proxy.mcpUrl, tokens.access_token), 401);
  });

  it('refuses within a second the tokens of a grant that another process revoked in the SQLite file', async (t) => {
    const defer = deferrals(t);
    const { idp, mcp } = await backends(defer);
    const dir = await mkdtemp(join(tmpdir(), 'access-cache-'));
    defer(() => rm(dir, { recursive: true, force: true }));
    const proxy = await startTestProxy({ idp, mcp, store: { kind: 'sqlite', dir } });
    defer(() => proxy.close());
    const { tokens } = await logIn(proxy.mcpUrl, 'carol');
    assert.equal(await status(proxy.mcpUrl, tokens.access_token), 200);

    // What `mcp-auth-proxy grants revoke` does, from a store handle of its own.
    assert.equal(proxy.config.store.kind, 'sqlite');
    const other = createSqliteStore({ path: join(dir, 'store.sqlite'), clock: systemClock });
    defer(() => other.close());
    const grantIds = (await listGrants(other, {})).map((grant) => grant.grantId);
    assert.equal(grantIds.length, 1);
    for (const grantId of grantIds) await revokeGrant(other, grantId);
    assert.equal(await announceGrantsRevoked(other, proxy.config.store, grantIds), true);
    await refusedWithin(proxy.mcpUrl, tokens.access_token, REVOCATION_DEADLINE_MS);
  });
});
