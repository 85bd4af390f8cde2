import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { KeyValueStore } from '../../../src/store/key-value-store.ts';
import { createMemoryStore } from '../../../src/store/memory/memory-store.ts';
import { createOidcAdapterFactory, grantSetKey, oidcRecordKey } from '../../../src/store/oidc-adapter.ts';
import { createManualClock } from '../../contract/manual-clock.ts';

/** The real adapter on the real memory store; reads of token records and the set's size are recorded. */
function setup() {
  const clock = createManualClock();
  const memory = createMemoryStore({ clock });
  const observed = { recordReads: 0, largestSet: 0 };
  const store: KeyValueStore = {
    ...memory,
    get: (key) => {
      observed.recordReads += 1;
      return memory.get(key);
    },
    addToSet: async (key, member, options) => {
      const size = await memory.addToSet(key, member, options);
      observed.largestSet = Math.max(observed.largestSet, size);
      return size;
    },
  };
  const accessTokens = createOidcAdapterFactory(store, { clock })('AccessToken');
  const issue = async (grantId: string, lifetimeSeconds: number): Promise<string> => {
    const id = randomUUID();
    await accessTokens.upsert(
      id,
      { jti: id, kind: 'AccessToken', grantId, accountId: 'user-1', clientId: 'client-1' },
      lifetimeSeconds,
    );
    return id;
  };
  return { clock, memory, observed, issue };
}

describe('grant set pruning', () => {
  it('keeps a set whose tokens keep expiring below 32 members, at under two record reads per token issued', async () => {
    const { clock, memory, observed, issue } = setup();
    const issued = 5_000;
    for (let count = 0; count < issued; count += 1) {
      await issue('grant-1', 1);
      clock.advance(100);
    }
    assert.ok(observed.largestSet <= 32, `largest set ${observed.largestSet}`);
    assert.ok((await memory.members(grantSetKey('grant-1'))).length < 32);
    assert.ok(observed.recordReads < 2 * issued, `${observed.recordReads} reads for ${issued} tokens issued`);
  });

  it('keeps every live token listed while the set grows with them, at under two reads per token issued', async () => {
    const { memory, observed, issue } = setup();
    const live: string[] = [];
    for (let count = 0; count < 300; count += 1) live.push(await issue('grant-2', 3_600));
    const members = await memory.members(grantSetKey('grant-2'));
    assert.deepEqual(members.sort(), live.map((id) => oidcRecordKey('AccessToken', id)).sort());
    assert.ok(observed.recordReads < 2 * 300, `${observed.recordReads} reads for 300 tokens issued`);
  });

  it('prunes a set that outgrew its live tokens down to the power of two above them, keeping every live one', async () => {
    const { clock, memory, issue } = setup();
    const live: string[] = [];
    for (let count = 0; count < 30; count += 1) live.push(await issue('grant-3', 3_600));
    for (let count = 0; count < 70; count += 1) await issue('grant-3', 1);
    clock.advance(2_000);
    // 100 members, 30 live: the add that makes 128 finds 58 live and leaves 64 (6 of them spent).
    for (let count = 0; count < 28; count += 1) live.push(await issue('grant-3', 3_600));
    const members = await memory.members(grantSetKey('grant-3'));
    assert.equal(members.length, 64);
    for (const id of live) assert.ok(members.includes(oidcRecordKey('AccessToken', id)));
  });
});
