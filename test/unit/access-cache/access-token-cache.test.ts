import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accessTokenKey, createAccessCache, encodeInvalidation } from '../../../src/access-cache/index.ts';
import type { VerifiedAccess } from '../../../src/admission/index.ts';
import { silentLogger } from '../../../src/shared/logger.ts';
import type { InvalidationBus, InvalidationListener } from '../../../src/store/index.ts';
import { createManualClock, type ManualClock } from '../../contract/manual-clock.ts';

const TTL_MS = 30_000;

/** An in-process bus whose link a test can cut: the contract suite covers the real ones. */
class TestBus implements InvalidationBus {
  readonly kind = 'polling';
  readonly published: string[] = [];
  listening = true;
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
    return this.listening;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  /** What another instance's publish looks like here. */
  deliver(message: string): void {
    for (const listener of this.#listeners) listener.message(message);
  }
  gap(): void {
    for (const listener of this.#listeners) listener.gap();
  }
}

/** The authorization server's verifier as the cache sees it: counts its calls. */
function countingVerifier(clock: ManualClock, grantId = 'grant-1') {
  const calls: string[] = [];
  const valid = new Map<string, VerifiedAccess>();
  const issue = (token: string, lifetimeSeconds = 3600) =>
    valid.set(token, {
      grantId,
      accountId: 'alice',
      clientId: 'client-1',
      scopes: ['mcp'],
      expiresAtSeconds: Math.floor(clock.nowMs() / 1000) + lifetimeSeconds,
      resource: 'https://mcp.example.com/mcp',
    });
  const verify = (token: string): Promise<VerifiedAccess | undefined> => {
    calls.push(token);
    return Promise.resolve(valid.get(token));
  };
  return { calls, valid, issue, verify };
}

function setup() {
  const clock = createManualClock();
  const bus = new TestBus();
  const cache = createAccessCache({ bus, clock, logger: silentLogger, ttlMs: TTL_MS });
  const inner = countingVerifier(clock);
  return { clock, bus, cache, inner, verify: cache.verifier(inner.verify) };
}

describe('access token cache', () => {
  it('checks a valid token against the store once and serves it from memory until the TTL', async () => {
    const { clock, inner, verify } = setup();
    inner.issue('token-a');
    assert.equal((await verify('token-a'))?.grantId, 'grant-1');
    clock.advance(TTL_MS - 1);
    assert.equal((await verify('token-a'))?.grantId, 'grant-1');
    assert.equal(inner.calls.length, 1, 'the second check was served from memory');
    clock.advance(1);
    await verify('token-a');
    assert.equal(inner.calls.length, 2, 'after the TTL the store is asked again');
  });

  it('never keeps a token past its own expiry, and never keeps an invalid token', async () => {
    const { clock, inner, verify } = setup();
    inner.issue('short', 10);
    await verify('short');
    clock.advance(10_000);
    inner.valid.delete('short');
    assert.equal(await verify('short'), undefined);
    assert.equal(await verify('unknown'), undefined);
    assert.equal(await verify('unknown'), undefined);
    assert.deepEqual(inner.calls, ['short', 'short', 'unknown', 'unknown']);
  });

  it("drops a grant's tokens when any instance announces the grant revoked", async () => {
    const { bus, inner, verify } = setup();
    inner.issue('token-a');
    await verify('token-a');
    inner.valid.delete('token-a');
    bus.deliver(encodeInvalidation({ kind: 'grant', grantId: 'grant-1' }));
    assert.equal(await verify('token-a'), undefined);
  });

  it('drops one token when it is announced destroyed, by its hash', async () => {
    const { bus, inner, verify } = setup();
    inner.issue('token-a');
    inner.issue('token-b');
    await verify('token-a');
    await verify('token-b');
    bus.deliver(encodeInvalidation({ kind: 'token', tokenKey: accessTokenKey('token-a') }));
    await verify('token-a');
    await verify('token-b');
    assert.deepEqual(inner.calls, ['token-a', 'token-b', 'token-a'], 'only token-a was checked again');
  });

  it('does not keep a verdict that was loading while a revocation arrived', async () => {
    const { bus, inner, cache } = setup();
    inner.issue('token-a');
    let release: () => void = () => undefined;
    const slow = cache.verifier(async (token) => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return await inner.verify(token);
    });
    const loading = slow('token-a');
    bus.deliver(encodeInvalidation({ kind: 'grant', grantId: 'grant-1' }));
    release();
    assert.equal((await loading)?.grantId, 'grant-1', 'the request that raced the revocation is answered');
    inner.valid.delete('token-a');
    const again = slow('token-a');
    release();
    assert.equal(await again, undefined, 'but its verdict was not kept');
  });

  it('neither serves nor keeps anything while the bus is not listening, and forgets everything on a gap', async () => {
    const { bus, inner, verify } = setup();
    inner.issue('token-a');
    await verify('token-a');
    bus.gap();
    await verify('token-a');
    assert.equal(inner.calls.length, 2, 'a gap dropped the cached verdict');
    bus.listening = false;
    await verify('token-a');
    await verify('token-a');
    assert.equal(inner.calls.length, 4, 'nothing is served from memory while not listening');
  });
});

describe('revocation-watching adapter', () => {
  it('announces a destroyed access token by its hash and a revoked grant by its id, after the store write', async () => {
    const { bus, cache } = setup();
    const order: string[] = [];
    const inner = (modelName: string) => ({
      upsert: () => Promise.resolve(),
      find: () => Promise.resolve(undefined),
      findByUid: () => Promise.resolve(undefined),
      findByUserCode: () => Promise.resolve(undefined),
      consume: () => Promise.resolve(),
      destroy: (id: string) => Promise.resolve(void order.push(`destroy ${modelName} ${id}`)),
      revokeByGrantId: (grantId: string) =>
        Promise.resolve(void order.push(`revoke ${modelName} ${grantId}`)),
    });
    const adapters = cache.watchAdapter(inner);
    bus.subscribe({ message: (message) => order.push(`announce ${message}`), gap: () => undefined });
    await adapters('AccessToken').destroy('token-a');
    await adapters('AccessToken').revokeByGrantId('grant-1');
    await adapters('RefreshToken').revokeByGrantId('grant-1');
    await adapters('Grant').destroy('grant-2');
    assert.deepEqual(order, [
      'destroy AccessToken token-a',
      `announce token:${accessTokenKey('token-a')}`,
      'revoke AccessToken grant-1',
      'announce grant:grant-1',
      'revoke RefreshToken grant-1',
      'destroy Grant grant-2',
      'announce grant:grant-2',
    ]);
    assert.ok(!bus.published.some((message) => message.includes('token-a')), 'no raw token on the bus');
  });
});
