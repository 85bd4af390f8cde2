/**
 * The Redis primary dies under a running proxy on Redis Sentinel (one primary,
 * one replica, three sentinels, started for this file). While the sentinels
 * elect the replica, the MCP and token endpoints answer 503 with Retry-After,
 * never a 500 or a hang; once the new primary is elected the same proxy serves
 * again by itself, and the grant confirmed before the failover still works.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startRedisSentinel } from '../../support/redis-sentinel.ts';
import { uniqueRedisPrefix } from '../../support/redis.ts';
import { sharedTopology } from '../../support/shared-topology.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { refreshAt, whoamiAt } from './instance-pair-steps.ts';
import { assertTemporarilyUnavailable, eventually, initializeRaw, logIn } from './proxy-steps.ts';

/** The target the issue sets: requests recover by themselves this soon after the new primary. */
const RECOVERY_AFTER_ELECTION_MS = 5_000;

const sentinel = sharedTopology('the Redis Sentinel failover test', startRedisSentinel);
const proxies: TestProxy[] = [];
after(async () => {
  for (const proxy of proxies) await proxy.close();
  await sentinel.stop();
});

/** A status seen during the election, with the response kept when it was a 503. */
interface Answer {
  readonly status: number;
  readonly unavailable: Response | undefined;
}

const answerOf = async (response: Response): Promise<Answer> => {
  if (response.status === 503) return { status: 503, unavailable: response };
  await response.arrayBuffer();
  return { status: response.status, unavailable: undefined };
};

describe('a proxy on Redis Sentinel when the primary fails over', () => {
  it('answers 503 with Retry-After during the election, then recovers by itself and keeps the grant', async (t) => {
    const running = await sentinel.get(t);
    if (running === undefined) return;
    const proxy = await startTestProxy({
      store: { kind: 'redis', env: running.env, prefix: uniqueRedisPrefix('failover') },
    });
    proxies.push(proxy);
    const alice = await logIn(proxy.mcpUrl, 'alice');
    assert.equal((await whoamiAt(proxy.mcpUrl, alice.tokens.access_token)).status, 200);

    const former = await running.killPrimary();
    let elected = false;
    const election = running.waitForNewPrimary(former).then((port) => {
      elected = true;
      return port;
    });

    const mcpAnswers: Answer[] = [];
    const tokenAnswers: Answer[] = [];
    while (!elected) {
      mcpAnswers.push(await answerOf(await initializeRaw(proxy.mcpUrl, alice.tokens.access_token)));
      // An unknown refresh token: 503 while the store cannot answer, invalid_grant once it can.
      tokenAnswers.push(await answerOf(await refreshAt(proxy.baseUrl, alice, 'not-a-refresh-token')));
    }
    const newPrimary = await election;
    assert.notEqual(newPrimary, former);

    assert.ok(
      mcpAnswers.every(({ status }) => status === 200 || status === 503),
      `MCP answers: ${mcpAnswers.map(({ status }) => status).join(',')}`,
    );
    assert.ok(
      tokenAnswers.every(({ status }) => status === 400 || status === 503),
      `token answers: ${tokenAnswers.map(({ status }) => status).join(',')}`,
    );
    const unavailable = [...mcpAnswers, ...tokenAnswers].flatMap(({ unavailable: response }) =>
      response === undefined ? [] : [response],
    );
    assert.ok(
      mcpAnswers.some(({ status }) => status === 503),
      'the MCP endpoint noticed the outage',
    );
    assert.ok(
      tokenAnswers.some(({ status }) => status === 503),
      'the token endpoint noticed the outage',
    );
    for (const response of unavailable) await assertTemporarilyUnavailable(response);

    // Recovery needs no restart, and the grant confirmed before the failover is still there.
    await eventually(
      'the proxy to serve the grant again on the new primary',
      async () =>
        (await whoamiAt(proxy.mcpUrl, alice.tokens.access_token)).status === 200 ? true : undefined,
      { timeoutMs: RECOVERY_AFTER_ELECTION_MS, intervalMs: 50 },
    );
    const refreshed = await refreshAt(proxy.baseUrl, alice, alice.tokens.refresh_token ?? '');
    assert.equal(refreshed.status, 200, await refreshed.clone().text());
    const tokens = (await refreshed.json()) as { access_token: string };
    const withNewToken = await whoamiAt(proxy.mcpUrl, tokens.access_token);
    assert.equal(withNewToken.status, 200);
    assert.match(withNewToken.text, /alice/);

    const failures = proxy.logs.filter((line) => line['status'] === 500 || line['event'] === 'proxy.error');
    assert.deepEqual(failures, [], 'a failover is not a server error');
  });
});
