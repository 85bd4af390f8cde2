import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { registerHooks } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { silentLogger } from '../../../src/shared/logger.ts';
import { systemClock } from '../../../src/shared/clock.ts';
import { redisUrlOrSkip, uniqueRedisPrefix } from '../../support/redis.ts';

/** Every module specifier resolved from here on, to see which drivers a backend loads. */
const resolved: string[] = [];
registerHooks({
  resolve(specifier, context, nextResolve) {
    resolved.push(specifier);
    return nextResolve(specifier, context);
  },
});
const { openStore } = await import('../../../src/store/open-store.ts');

describe('openStore', () => {
  it('opens the SQLite backend for kind sqlite without loading ioredis', async (t) => {
    const directory = await mkdtemp(join(tmpdir(), 'open-store-'));
    t.after(() => rm(directory, { recursive: true, force: true }));
    const store = await openStore(
      { kind: 'sqlite', path: join(directory, 'store.db') },
      { clock: systemClock, logger: silentLogger },
    );
    t.after(() => store.close());
    assert.equal(store.kind, 'sqlite');
    await store.set('k', 'v');
    assert.equal(await store.get('k'), 'v');
    assert.ok(!resolved.includes('ioredis'), 'ioredis was loaded by a SQLite run');
  });

  it('opens the Redis backend for kind redis with its key prefix', async (t) => {
    const url = await redisUrlOrSkip(t);
    if (url === undefined) return;
    const keyPrefix = uniqueRedisPrefix('open-store');
    const store = await openStore(
      { kind: 'redis', topology: { kind: 'single', url }, keyPrefix, tlsRejectUnauthorized: true },
      { clock: systemClock, logger: silentLogger },
    );
    t.after(() => store.close());
    assert.equal(store.kind, 'redis');
    await store.set('k', 'v', { ttlMs: 60_000 });
    assert.equal(await store.get('k'), 'v');
    await store.delete('k');
    assert.ok(resolved.includes('ioredis'));
  });
});
