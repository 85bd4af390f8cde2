/**
 * Two proxy instances of one deployment on a Redis Cluster (three primaries,
 * three replicas, started for this file): a sign-in made at one instance
 * works at the other, and a revocation made at one is effective at the other
 * within a second, carried by classic pub/sub across the cluster's nodes.
 */
import assert from 'node:assert/strict';
import { after, describe, it, type TestContext } from 'node:test';
import { startRedisCluster } from '../../support/redis-cluster.ts';
import { uniqueRedisPrefix } from '../../support/redis.ts';
import { sharedTopology } from '../../support/shared-topology.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { refreshAt, revokeAt, whoamiAt } from './instance-pair-steps.ts';
import { connectMcp, eventually, logIn, textOf } from './proxy-steps.ts';

/** The target the issue sets for revocation across instances. */
const REVOCATION_EVERYWHERE_MS = 1_000;

interface Pair {
  readonly first: TestProxy;
  readonly second: TestProxy;
  readonly firstMcp: string;
  readonly secondMcp: string;
}

const cluster = sharedTopology('the Redis Cluster proxy tests', startRedisCluster);
const started: TestProxy[] = [];
let starting: Promise<Pair> | undefined;

after(async () => {
  for (const proxy of started.reverse()) await proxy.close();
  await cluster.stop();
});

async function pair(t: TestContext): Promise<Pair | undefined> {
  const running = await cluster.get(t);
  if (running === undefined) return undefined;
  starting ??= (async () => {
    const store = { kind: 'redis' as const, env: running.env, prefix: uniqueRedisPrefix('cluster-pair') };
    const first = await startTestProxy({ store });
    started.push(first);
    const second = await startTestProxy({
      store,
      idp: first.idp,
      mcp: first.mcp,
      env: { BASE_URL: first.baseUrl },
    });
    started.push(second);
    return { first, second, firstMcp: `${first.app.url}/mcp`, secondMcp: `${second.app.url}/mcp` };
  })();
  return await starting;
}

describe('two proxy instances on one Redis Cluster', () => {
  it('accept at one instance the sign-in and tokens made at the other', async (t) => {
    const instances = await pair(t);
    if (instances === undefined) return;
    const { first, second, firstMcp, secondMcp } = instances;
    assert.equal(first.config.store.kind === 'redis' && first.config.store.topology.kind, 'cluster');
    const alice = await logIn(first.mcpUrl, 'alice');

    const { client } = await connectMcp(secondMcp, alice.oauth);
    assert.equal(textOf(await client.callTool({ name: 'whoami', arguments: {} })), 'alice');
    await client.close();

    const refreshed = await refreshAt(second.app.url, alice, alice.tokens.refresh_token ?? '');
    assert.equal(refreshed.status, 200);
    const tokens = (await refreshed.json()) as { access_token: string };
    const atFirst = await whoamiAt(firstMcp, tokens.access_token);
    assert.equal(atFirst.status, 200);
    assert.match(atFirst.text, /alice/);
  });

  it('see an access-token revocation made at the other instance within a second', async (t) => {
    const instances = await pair(t);
    if (instances === undefined) return;
    const { first, firstMcp, secondMcp } = instances;
    const bob = await logIn(first.mcpUrl, 'bob');
    const token = bob.tokens.access_token;
    // Both instances have now checked the token and hold it in their access caches.
    assert.equal((await whoamiAt(secondMcp, token)).status, 200);
    assert.equal((await whoamiAt(firstMcp, token)).status, 200);

    const revoked = await revokeAt(first.app.url, bob, token, 'access_token');
    assert.equal(revoked.status, 200);
    await revoked.arrayBuffer();

    await eventually(
      'the second instance to refuse the revoked token',
      async () => ((await whoamiAt(secondMcp, token)).status === 401 ? true : undefined),
      { timeoutMs: REVOCATION_EVERYWHERE_MS, intervalMs: 20 },
    );
    assert.equal((await whoamiAt(firstMcp, token)).status, 401);
  });

  it('see a grant revoked through its refresh token at the other instance within a second', async (t) => {
    const instances = await pair(t);
    if (instances === undefined) return;
    const { first, second, secondMcp } = instances;
    const carol = await logIn(first.mcpUrl, 'carol');
    assert.equal((await whoamiAt(secondMcp, carol.tokens.access_token)).status, 200);

    // Revoking the refresh token revokes the grant: its access tokens too (revokeByGrantId).
    const revoked = await revokeAt(first.app.url, carol, carol.tokens.refresh_token ?? '', 'refresh_token');
    assert.equal(revoked.status, 200);
    await revoked.arrayBuffer();

    await eventually(
      'the second instance to refuse the access token of the revoked grant',
      async () => ((await whoamiAt(secondMcp, carol.tokens.access_token)).status === 401 ? true : undefined),
      { timeoutMs: REVOCATION_EVERYWHERE_MS, intervalMs: 20 },
    );
    const refreshed = await refreshAt(second.app.url, carol, carol.tokens.refresh_token ?? '');
    assert.equal(refreshed.status, 400);
    assert.equal(((await refreshed.json()) as { error: string }).error, 'invalid_grant');
  });
});
