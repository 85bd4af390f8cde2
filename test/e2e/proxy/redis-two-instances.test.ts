/**
 * Two proxy instances behind one load balancer: one BASE_URL (so one issuer
 * and one resource), their own ports, one Redis and one encryption key. What
 * one instance issues or revokes holds on the other at once.
 */
import assert from 'node:assert/strict';
import { after, describe, it, type TestContext } from 'node:test';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { redisUrlOrSkip, uniqueRedisPrefix } from '../../support/redis.ts';
import { deleteRedisPrefix } from '../../support/redis-cleanup.ts';
import { connectMcp, logIn, postMcp, textOf } from './proxy-steps.ts';
import { revokeAt, whoamiAt } from './instance-pair-steps.ts';

interface Pair {
  readonly first: TestProxy;
  readonly second: TestProxy;
  /** Each instance's own address (the shared BASE_URL is the first one's). */
  readonly firstMcp: string;
  readonly secondMcp: string;
}

describe('two proxy instances sharing one Redis', () => {
  let starting: Promise<Pair> | undefined;
  let cleanup: (() => Promise<void>) | undefined;

  /** The pair, started by the first test that runs (or undefined when there is no Redis: skipped). */
  async function pair(t: TestContext): Promise<Pair | undefined> {
    const url = await redisUrlOrSkip(t);
    if (url === undefined) return undefined;
    starting ??= (async () => {
      const prefix = uniqueRedisPrefix('proxy-pair');
      const started: TestProxy[] = [];
      cleanup = async () => {
        for (const proxy of started.reverse()) await proxy.close();
        await deleteRedisPrefix(url, prefix);
      };
      const first = await startTestProxy({ store: { kind: 'redis', url, prefix } });
      started.push(first);
      const second = await startTestProxy({
        store: { kind: 'redis', url, prefix },
        idp: first.idp,
        mcp: first.mcp,
        env: { BASE_URL: first.baseUrl },
      });
      started.push(second);
      return { first, second, firstMcp: `${first.app.url}/mcp`, secondMcp: `${second.app.url}/mcp` };
    })();
    return await starting;
  }

  after(async () => {
    await cleanup?.();
  });

  it('are one deployment: the same issuer, different ports', async (t) => {
    const started = await pair(t);
    if (started === undefined) return;
    const { first, second } = started;
    assert.equal(second.config.baseUrl, first.config.baseUrl);
    assert.notEqual(second.app.url, first.app.url);
  });

  it('accept on one instance the tokens issued through the other', async (t) => {
    const started = await pair(t);
    if (started === undefined) return;
    const { first, second, firstMcp, secondMcp } = started;
    const alice = await logIn(first.mcpUrl, 'alice');

    // The SDK client, pointed at the second instance, with the tokens the first one issued.
    const { client } = await connectMcp(secondMcp, alice.oauth);
    assert.equal(textOf(await client.callTool({ name: 'whoami', arguments: {} })), 'alice');
    await client.close();

    // The refresh token too: refreshed at the second, the new access token works at the first.
    const refreshed = await fetch(`${second.app.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: alice.tokens.refresh_token ?? '',
        client_id: alice.oauth.clientInformation()?.client_id ?? '',
      }).toString(),
    });
    assert.equal(refreshed.status, 200);
    const tokens = (await refreshed.json()) as { access_token: string };
    const atFirst = await whoamiAt(firstMcp, tokens.access_token);
    assert.equal(atFirst.status, 200);
    assert.match(atFirst.text, /alice/);
  });

  it('see a revocation made at the other instance at once', async (t) => {
    const started = await pair(t);
    if (started === undefined) return;
    const { first, firstMcp, secondMcp } = started;
    const bob = await logIn(first.mcpUrl, 'bob');
    const token = bob.tokens.access_token;
    assert.equal((await whoamiAt(secondMcp, token)).status, 200);
    assert.equal((await whoamiAt(firstMcp, token)).status, 200);

    const revoked = await revokeAt(first.app.url, bob, token, 'access_token');
    assert.equal(revoked.status, 200);
    await revoked.arrayBuffer();

    const atSecond = await postMcp(secondMcp, token, { id: 1, method: 'tools/list' });
    assert.equal(atSecond.status, 401);
    assert.match(atSecond.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    await atSecond.arrayBuffer();
    assert.equal((await whoamiAt(firstMcp, token)).status, 401);
  });

  it('see a refresh-token revocation made at the other instance at once', async (t) => {
    const started = await pair(t);
    if (started === undefined) return;
    const { first, second } = started;
    const carol = await logIn(first.mcpUrl, 'carol');
    const revoked = await revokeAt(second.app.url, carol, carol.tokens.refresh_token ?? '', 'refresh_token');
    assert.equal(revoked.status, 200);
    await revoked.arrayBuffer();

    const refreshed = await fetch(`${first.app.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: carol.tokens.refresh_token ?? '',
        client_id: carol.oauth.clientInformation()?.client_id ?? '',
      }).toString(),
    });
    assert.equal(refreshed.status, 400);
    assert.equal(((await refreshed.json()) as { error: string }).error, 'invalid_grant');
  });
});
