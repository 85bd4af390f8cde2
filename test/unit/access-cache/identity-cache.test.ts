import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAccessCache } from '../../../src/access-cache/index.ts';
import { identityFromClaims, serializeIdentity } from '../../../src/policy/index.ts';
import { silentLogger } from '../../../src/shared/logger.ts';
import {
  createMemoryStore,
  type InvalidationBus,
  type InvalidationListener,
  type KeyValueStore,
} from '../../../src/store/index.ts';
import { UpstreamTokenVault } from '../../../src/upstream-token-vault/index.ts';
import { createManualClock } from '../../contract/manual-clock.ts';

const TTL_MS = 30_000;

/** A bus of one instance: always listening, delivering what it publishes to itself, as the real ones do. */
function localBus(): InvalidationBus {
  const listeners = new Set<InvalidationListener>();
  return {
    kind: 'polling',
    publish(message) {
      for (const listener of listeners) listener.message(message);
      return Promise.resolve();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    isListening: () => true,
    close: () => Promise.resolve(),
  };
}

const identityText = (groups: string[]) =>
  serializeIdentity(identityFromClaims({ accountId: 'alice', idTokenClaims: { sub: 'alice', groups } }));

async function setup() {
  const clock = createManualClock();
  const memory = createMemoryStore({ clock });
  let reads = 0;
  const store: KeyValueStore = {
    ...memory,
    get: (key) => {
      if (key.startsWith('upstream-tokens:')) reads += 1;
      return memory.get(key);
    },
  };
  const vault = new UpstreamTokenVault({
    store,
    encryptionKey: Buffer.alloc(32, 1),
    ttlSeconds: 86_400,
    refreshAtIdp: () => Promise.reject(new Error('not refreshed in these tests')),
    revokeGrant: () => Promise.resolve(undefined),
    clock,
    logger: silentLogger,
  });
  const cache = createAccessCache({ bus: localBus(), clock, logger: silentLogger, ttlMs: TTL_MS });
  const tokens = cache.upstreamTokens(vault);
  await tokens.save('grant-1', {
    accessToken: 'idp-token-1',
    userId: 'alice',
    identity: identityText(['staff']),
  });
  return { clock, tokens, reads: () => reads };
}

describe('identities in the access cache', () => {
  it('reads the identity with the upstream token, in one read of the vault', async () => {
    const { tokens, reads } = await setup();
    const [token, identity] = await Promise.all([tokens.current('grant-1'), tokens.identityOf('grant-1')]);
    assert.equal(token, 'idp-token-1');
    assert.deepEqual(identity?.groups, ['staff']);
    assert.equal(reads(), 1);
  });

  it('keeps the same identity object while the sealed identity stays the same, across reloads', async () => {
    const { clock, tokens, reads } = await setup();
    const first = await tokens.identityOf('grant-1');
    clock.advance(TTL_MS);
    const second = await tokens.identityOf('grant-1');
    assert.equal(reads(), 2, 'the entry expired and was read again');
    assert.equal(second, first, 'the same object, so the rules do not evaluate the user again');
  });

  it('gives a new identity once the grant holds another (a new sign-in or a refreshed id_token)', async () => {
    const { tokens } = await setup();
    const before = await tokens.identityOf('grant-1');
    await tokens.save('grant-1', {
      accessToken: 'idp-token-2',
      userId: 'alice',
      identity: identityText(['finance']),
    });
    const after = await tokens.identityOf('grant-1');
    assert.notEqual(after, before);
    assert.deepEqual(after?.groups, ['finance']);
  });

  it('has no identity for a grant that kept none, or that is gone', async () => {
    const { tokens } = await setup();
    await tokens.save('grant-2', { accessToken: 'idp-token', userId: 'bob' });
    assert.equal(await tokens.identityOf('grant-2'), undefined);
    assert.equal(await tokens.identityOf('grant-unknown'), undefined);
  });
});
