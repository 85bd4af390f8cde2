import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { silentLogger } from '../../../src/shared/logger.ts';
import { createRedisStore } from '../../../src/store/redis/redis-store.ts';
import { redisUrlOrSkip, uniqueRedisPrefix } from '../../support/redis.ts';

/** A plain client on the same server, to see what the store really wrote. */
function rawClient(t: TestContext, url: string, db: number): Redis {
  const parsed = new URL(url);
  parsed.pathname = `/${db}`;
  const client = new Redis(parsed.toString());
  t.after(() => client.quit());
  return client;
}

describe('Redis store on a real Redis', () => {
  it('writes every key under its prefix and hands keys back without it', async (t) => {
    const url = await redisUrlOrSkip(t);
    if (url === undefined) return;
    const keyPrefix = uniqueRedisPrefix('redis-store');
    const store = await createRedisStore({
      topology: { kind: 'single', url },
      keyPrefix,
      tlsRejectUnauthorized: true,
      logger: silentLogger,
    });
    const raw = rawClient(t, url, Number(new URL(url).pathname.slice(1) || 0));
    // Hooks run in the order they were added: delete what was written, then close.
    t.after(() => store.delete('value', 'set', 'counter'));
    t.after(() => store.close());

    await store.set('value', 'v', { ttlMs: 60_000 });
    await store.addToSet('set', 'm', { ttlMs: 60_000 });
    await store.increment('counter', 60_000);

    assert.equal(await raw.get(`${keyPrefix}value`), 'v');
    assert.deepEqual(await raw.smembers(`${keyPrefix}set`), ['m']);
    assert.equal(await raw.get(`${keyPrefix}counter`), '1');
    assert.equal(await raw.exists('value'), 0);
    const ttlMs = await raw.pttl(`${keyPrefix}set`);
    assert.ok(ttlMs > 0 && ttlMs <= 60_000, `the set carries its TTL (${ttlMs})`);
    const keys: string[] = [];
    for await (const key of store.keys('')) keys.push(key);
    assert.deepEqual(keys.sort(), ['counter', 'set', 'value']);
  });

  it('uses the database index given in the URL', async (t) => {
    const url = await redisUrlOrSkip(t);
    if (url === undefined) return;
    const keyPrefix = uniqueRedisPrefix('redis-db');
    const withDb = new URL(url);
    withDb.pathname = '/7';
    const store = await createRedisStore({
      topology: { kind: 'single', url: withDb.toString() },
      keyPrefix,
      tlsRejectUnauthorized: true,
      logger: silentLogger,
    });
    t.after(() => store.delete('k'));
    t.after(() => store.close());
    const database7 = rawClient(t, url, 7);
    const database0 = rawClient(t, url, 0);

    await store.set('k', 'in-7', { ttlMs: 60_000 });
    assert.equal(await database7.get(`${keyPrefix}k`), 'in-7');
    assert.equal(await database0.get(`${keyPrefix}k`), null);
  });
});
