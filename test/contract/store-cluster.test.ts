/**
 * The store and oidc-provider adapter contracts on Redis Cluster (three
 * primaries, three replicas, started for this file). A multi-key command across
 * hash slots fails on a cluster (CROSSSLOT), so passing here shows that every
 * operation, revokeByGrantId's deletes included, stays within one slot.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { silentLogger } from '../../src/shared/logger.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { createRedisInvalidationBus } from '../../src/store/redis/redis-invalidation-bus.ts';
import type { InvalidationBus } from '../../src/store/invalidation-bus.ts';
import { ask, until } from '../support/redis-processes.ts';
import { startRedisCluster } from '../support/redis-cluster.ts';
import { uniqueRedisPrefix } from '../support/redis.ts';
import { sharedTopology } from '../support/shared-topology.ts';
import { describeIncrementAmountContract } from './increment-amount-contract.ts';
import { describeAdapterContract } from './oidc-adapter-contract.ts';
import { describeStoreContract } from './store-contract.ts';
import { openRedisTopologyForTest, withHarness } from './store-harnesses.ts';

const cluster = sharedTopology('the Redis Cluster contract', startRedisCluster);
after(() => cluster.stop());

const open = openRedisTopologyForTest('cluster', async (t) => (await cluster.get(t))?.topology);
describeStoreContract('redis cluster', open);
describeIncrementAmountContract('redis cluster', open);
describeAdapterContract('redis cluster', open);

describe('Redis Cluster specifics', () => {
  it('spreads keys over every primary and lists them all with keys()', (t) =>
    withHarness(t, open, async (h) => {
      const written = Array.from({ length: 60 }, (_, index) => `spread:${index}`);
      await Promise.all(written.map((key) => h.store.set(key, 'v', { ttlMs: 60_000 })));
      const listed: string[] = [];
      for await (const key of h.store.keys('spread:')) listed.push(key);
      assert.deepEqual(listed.sort(), [...written].sort());

      const running = await cluster.get(t);
      const primaries = [];
      for (const port of running?.ports ?? []) {
        if (String(await ask(port, 'role')).startsWith('master')) primaries.push(port);
      }
      assert.equal(primaries.length, 3);
      for (const port of primaries) {
        const [, keys] = (await ask(port, 'scan', '0', 'MATCH', '*spread:*', 'COUNT', '10000')) as [
          string,
          string[],
        ];
        assert.ok(keys.length > 0, `primary ${port} holds some of the keys`);
      }
    }));

  it('delivers an invalidation published by one instance to another, whichever nodes they use', async (t) => {
    const running = await cluster.get(t);
    if (running === undefined) return;
    const keyPrefix = uniqueRedisPrefix('cluster-bus');
    const buses: InvalidationBus[] = [];
    t.after(() => Promise.all(buses.map((bus) => bus.close())));
    for (let index = 0; index < 4; index += 1) {
      buses.push(
        await createRedisInvalidationBus({
          topology: running.topology,
          keyPrefix,
          tlsRejectUnauthorized: true,
          clock: systemClock,
          logger: silentLogger,
        }),
      );
    }
    const heard = buses.map(() => [] as string[]);
    buses.forEach((bus, index) =>
      bus.subscribe({ message: (message) => heard[index]?.push(message), gap: () => undefined }),
    );
    assert.ok(buses.every((bus) => bus.isListening()));
    const message = `grant:${randomUUID()}`;
    await buses[0]?.publish(message);
    await until('every instance to hear the message', () =>
      Promise.resolve(heard.every((messages) => messages.includes(message))),
    );
  });
});
