import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAccessCache, encodeInvalidation } from '../../../src/access-cache/index.ts';
import { silentLogger } from '../../../src/shared/logger.ts';
import { createMemoryStore } from '../../../src/store/index.ts';
import type { InvalidationBus, InvalidationListener, KeyValueStore } from '../../../src/store/index.ts';
import { UpstreamTokenVault } from '../../../src/upstream-token-vault/index.ts';
import { createManualClock } from '../../contract/manual-clock.ts';

const TTL_MS = 30_000;

class TestBus implements InvalidationBus {
  readonly kind = 'polling';
  readonly published: string[] = [];
  readonly #listeners = new Set<InvalidationListener>();
  publish(message: string): Promise<void> {
    this.published.push(message);
    this.deliver(message);
    return Promise.resolve();
  }
  subscribe(listener: InvalidationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  isListening(): boolean {
    return true;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  deliver(message: string): void {
    for (const listener of this.#listeners) listener.message(message);
  }
}

/** The real vault on the real memory store; the store's reads are counted. */
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
  let refreshes = 0;
  const vault = new UpstreamTokenVault({
    store,
    encryptionKey: Buffer.alloc(32, 1),
    ttlSeconds: 86_400,
    refreshAtIdp: () => {
      refreshes += 1;
      return Promise.resolve({ accessToken: `idp-token-${refreshes + 1}`, expiresAt: nowSeconds() + 3600 });
    },
    revokeGrant: () => Promise.resolve(undefined),
    clock,
    logger: silentLogger,
  });
  const nowSeconds = () => Math.floor(clock.nowMs() / 1000);
  const bus = new TestBus();
  const cache = createAccessCache({ bus, clock, logger: silentLogger, ttlMs: TTL_MS });
  const tokens = cache.upstreamTokens(vault);
  await tokens.save('grant-1', {
    accessToken: 'idp-token-1',
    refreshToken: 'idp-refresh',
    expiresAt: nowSeconds() + 3600,
    userId: 'alice',
  });
  return { clock, bus, tokens, reads: () => reads, refreshes: () => refreshes };
}

describe('upstream token cache', () => {
  it('opens the sealed upstream token once and serves it from memory until the TTL', async () => {
    const { clock, tokens, reads } = await setup();
    assert.equal(await tokens.current('grant-1'), 'idp-token-1');
    assert.equal(await tokens.current('grant-1'), 'idp-token-1');
    assert.equal(reads(), 1);
    clock.advance(TTL_MS);
    await tokens.current('grant-1');
    assert.equal(reads(), 2);
  });

  it('never serves a token from memory once the vault would refresh it', async () => {
    const { clock, tokens, refreshes } = await setup();
    await tokens.current('grant-1');
    // 3600 s lifetime, refreshed within 30 s of expiry: inside that skew, though the cache entry is fresh.
    clock.advance(3_571_000 - TTL_MS + 1_000);
    await tokens.current('grant-1');
    clock.advance(TTL_MS - 2_000);
    assert.equal(await tokens.current('grant-1'), 'idp-token-2');
    assert.equal(refreshes(), 1);
  });

  it('drops its copy and tells every instance when a refresh or a new login replaces the tokens', async () => {
    const { bus, tokens, reads } = await setup();
    bus.published.length = 0;
    await tokens.current('grant-1');
    assert.equal(await tokens.refresh('grant-1', 'idp-token-1'), 'idp-token-2');
    assert.equal(await tokens.current('grant-1'), 'idp-token-2');
    await tokens.save('grant-1', { accessToken: 'idp-token-9', userId: 'alice' });
    assert.equal(await tokens.current('grant-1'), 'idp-token-9');
    assert.deepEqual(bus.published, ['upstream:grant-1', 'upstream:grant-1']);
    assert.ok(reads() >= 3);
  });

  it("drops its copy when another instance announces the grant's tokens replaced or the grant revoked", async () => {
    const { bus, tokens, reads } = await setup();
    await tokens.current('grant-1');
    bus.deliver(encodeInvalidation({ kind: 'upstream', grantId: 'grant-1' }));
    await tokens.current('grant-1');
    bus.deliver(encodeInvalidation({ kind: 'grant', grantId: 'grant-1' }));
    await tokens.current('grant-1');
    assert.equal(reads(), 3);
  });
});
