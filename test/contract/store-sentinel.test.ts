/**
 * The store and oidc-provider adapter contracts on Redis Sentinel (one primary,
 * one replica, three sentinels, started for this file): every write that waits
 * for a replica does so on the primary the sentinels name.
 */
import { after } from 'node:test';
import { startRedisSentinel } from '../support/redis-sentinel.ts';
import { sharedTopology } from '../support/shared-topology.ts';
import { describeIncrementAmountContract } from './increment-amount-contract.ts';
import { describeAdapterContract } from './oidc-adapter-contract.ts';
import { describeStoreContract } from './store-contract.ts';
import { openRedisTopologyForTest } from './store-harnesses.ts';

const sentinel = sharedTopology('the Redis Sentinel contract', startRedisSentinel);
after(() => sentinel.stop());

const open = openRedisTopologyForTest('sentinel', async (t) => (await sentinel.get(t))?.topology);
describeStoreContract('redis sentinel', open);
describeIncrementAmountContract('redis sentinel', open);
describeAdapterContract('redis sentinel', open);
