import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createMemoryStore } from '../../../src/store/memory/memory-store.ts';
import type { KeyValueStore } from '../../../src/store/key-value-store.ts';
import { IdentityConfigurationError } from '../../../src/upstream-idp/identity-provider-error.ts';
import { createKeyValueStorageHook } from '../../../src/upstream-idp/key-value-storage-hook.ts';
import { createMemoryStorageHook } from '../../../src/upstream-idp/memory-storage-hook.ts';
import type { PKCEStorageHook } from '../../../src/upstream-idp/storage-hook.ts';
import { createManualClock, type ManualClock } from '../../contract/manual-clock.ts';

const TEN_MINUTES_MS = 600_000;
const REDIRECT = { redirectUri: 'https://proxy.example.com/interaction/identity/callback' };

/** Every hook of the module must keep the Heroku adapter's contract and be single use. */
function describeHookContract(name: string, create: (clock: ManualClock) => PKCEStorageHook): void {
  describe(`${name} storage hook`, () => {
    it('returns the verifier and redirect URI stored for the state', async () => {
      const clock = createManualClock();
      const hook = create(clock);
      await hook.storePKCEState('s-1', 's-1', 'verifier-1', clock.nowMs() + TEN_MINUTES_MS, REDIRECT);
      assert.deepEqual(await hook.retrievePKCEState('s-1', 's-1'), {
        codeVerifier: 'verifier-1',
        ...REDIRECT,
      });
    });

    it('is single use: a second retrieval finds nothing', async () => {
      const clock = createManualClock();
      const hook = create(clock);
      await hook.storePKCEState('s-1', 's-1', 'verifier-1', clock.nowMs() + TEN_MINUTES_MS, REDIRECT);
      assert.notEqual(await hook.retrievePKCEState('s-1', 's-1'), null);
      assert.equal(await hook.retrievePKCEState('s-1', 's-1'), null);
    });

    it('answers null for a state other than the one stored', async () => {
      const clock = createManualClock();
      const hook = create(clock);
      await hook.storePKCEState('s-1', 's-1', 'verifier-1', clock.nowMs() + TEN_MINUTES_MS, REDIRECT);
      assert.equal(await hook.retrievePKCEState('s-1', 'forged'), null);
    });

    it('answers null once the entry has expired', async () => {
      const clock = createManualClock();
      const hook = create(clock);
      await hook.storePKCEState('s-1', 's-1', 'verifier-1', clock.nowMs() + TEN_MINUTES_MS, REDIRECT);
      clock.advance(TEN_MINUTES_MS + 1);
      assert.equal(await hook.retrievePKCEState('s-1', 's-1'), null);
    });

    it('answers null for an unknown interaction', async () => {
      const hook = create(createManualClock());
      assert.equal(await hook.retrievePKCEState('never-stored', 'never-stored'), null);
    });

    it('keeps entries apart by interaction id', async () => {
      const clock = createManualClock();
      const hook = create(clock);
      await hook.storePKCEState('a', 'a', 'verifier-a', clock.nowMs() + TEN_MINUTES_MS, REDIRECT);
      await hook.storePKCEState('b', 'b', 'verifier-b', clock.nowMs() + TEN_MINUTES_MS, REDIRECT);
      assert.equal((await hook.retrievePKCEState('b', 'b')) !== null, true);
      assert.deepEqual(await hook.retrievePKCEState('a', 'a'), { codeVerifier: 'verifier-a', ...REDIRECT });
    });

    it('cleans up expired entries without touching live ones', async () => {
      const clock = createManualClock();
      const hook = create(clock);
      await hook.storePKCEState('old', 'old', 'v-old', clock.nowMs() + 1_000, REDIRECT);
      await hook.storePKCEState('new', 'new', 'v-new', clock.nowMs() + TEN_MINUTES_MS, REDIRECT);
      clock.advance(2_000);
      await hook.cleanupExpiredState(clock.nowMs());
      assert.equal(await hook.retrievePKCEState('old', 'old'), null);
      assert.notEqual(await hook.retrievePKCEState('new', 'new'), null);
    });
  });
}

describeHookContract('memory', (clock) => createMemoryStorageHook({ clock, nodeEnv: 'test' }));
describeHookContract('key-value', (clock) =>
  createKeyValueStorageHook(createMemoryStore({ clock }), { clock }),
);
describeHookContract('sealed key-value', (clock) =>
  createKeyValueStorageHook(createMemoryStore({ clock }), { clock, encryptionKey: randomBytes(32) }),
);

describe('memory storage hook', () => {
  it('refuses to be created when NODE_ENV is production', () => {
    assert.throws(() => createMemoryStorageHook({ nodeEnv: 'production' }), IdentityConfigurationError);
  });

  it('drops the oldest pending login beyond its bound', async () => {
    const clock = createManualClock();
    const hook = createMemoryStorageHook({ clock, maxEntries: 2 });
    for (const id of ['first', 'second', 'third']) {
      await hook.storePKCEState(id, id, `v-${id}`, clock.nowMs() + TEN_MINUTES_MS, REDIRECT);
    }
    assert.equal(await hook.retrievePKCEState('first', 'first'), null);
    assert.notEqual(await hook.retrievePKCEState('third', 'third'), null);
  });
});

describe('key-value storage hook', () => {
  async function storedEntries(store: KeyValueStore): Promise<Array<[string, string]>> {
    const entries: Array<[string, string]> = [];
    for await (const key of store.keys('')) entries.push([key, (await store.get(key)) ?? '']);
    return entries;
  }

  it('gives the verifier to exactly one of two concurrent callbacks', async () => {
    const clock = createManualClock();
    const hook = createKeyValueStorageHook(createMemoryStore({ clock }), { clock });
    await hook.storePKCEState('s-1', 's-1', 'verifier-1', clock.nowMs() + TEN_MINUTES_MS, REDIRECT);
    const results = await Promise.all([
      hook.retrievePKCEState('s-1', 's-1'),
      hook.retrievePKCEState('s-1', 's-1'),
    ]);
    assert.equal(results.filter((result) => result !== null).length, 1);
  });

  it('keys entries by a hash of the state under its prefix', async () => {
    const clock = createManualClock();
    const store = createMemoryStore({ clock });
    const hook = createKeyValueStorageHook(store, { clock, keyPrefix: 'pkce:' });
    await hook.storePKCEState(
      'interaction-uid',
      'interaction-uid',
      'verifier-1',
      clock.nowMs() + TEN_MINUTES_MS,
      REDIRECT,
    );
    const [[key] = ['']] = await storedEntries(store);
    assert.match(key, /^pkce:[A-Za-z0-9_-]{43}$/);
    assert.equal(key.includes('interaction-uid'), false);
  });

  it('lets the store expire the entry with its TTL', async () => {
    const clock = createManualClock();
    const store = createMemoryStore({ clock });
    const hook = createKeyValueStorageHook(store, { clock });
    await hook.storePKCEState('s-1', 's-1', 'verifier-1', clock.nowMs() + TEN_MINUTES_MS, REDIRECT);
    clock.advance(TEN_MINUTES_MS);
    assert.deepEqual(await storedEntries(store), []);
  });

  it('never holds the verifier in clear when given an encryption key', async () => {
    const clock = createManualClock();
    const store = createMemoryStore({ clock });
    const hook = createKeyValueStorageHook(store, { clock, encryptionKey: randomBytes(32) });
    await hook.storePKCEState(
      's-1',
      's-1',
      'verifier-that-must-not-leak',
      clock.nowMs() + TEN_MINUTES_MS,
      REDIRECT,
    );
    const [[, value] = ['', '']] = await storedEntries(store);
    assert.equal(value.includes('verifier-that-must-not-leak'), false);
  });

  it('answers null for a record sealed with another key', async () => {
    const clock = createManualClock();
    const store = createMemoryStore({ clock });
    const writer = createKeyValueStorageHook(store, { clock, encryptionKey: randomBytes(32) });
    const reader = createKeyValueStorageHook(store, { clock, encryptionKey: randomBytes(32) });
    await writer.storePKCEState('s-1', 's-1', 'verifier-1', clock.nowMs() + TEN_MINUTES_MS, REDIRECT);
    assert.equal(await reader.retrievePKCEState('s-1', 's-1'), null);
  });
});
