import assert from 'node:assert/strict';
import { ServerResponse, IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import {
  createRateLimiter,
  rateLimitHeaders,
  writeRateLimitHeaders,
} from '../../../src/http-kit/rate-limiter.ts';
import { DependencyUnavailableError } from '../../../src/http-kit/dependency-unavailable-error.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import type { KeyValueStore } from '../../../src/store/key-value-store.ts';
import { createMemoryStore } from '../../../src/store/memory/memory-store.ts';

describe('createRateLimiter (fixed window on the store counter)', () => {
  it('counts per key, and resets with the window on the injected clock', async () => {
    let nowMs = 1_000_000;
    const store = createMemoryStore({ clock: { nowMs: () => nowMs } });
    const limiter = createRateLimiter(store, { maxRequests: 2, windowMs: 10_000, keyPrefix: 'rl:' });
    assert.deepEqual(await limiter.consume('grant-a'), {
      allowed: true,
      limit: 2,
      remaining: 1,
      resetSeconds: 10,
    });
    nowMs += 2_500;
    assert.deepEqual(await limiter.consume('grant-a'), {
      allowed: true,
      limit: 2,
      remaining: 0,
      resetSeconds: 8,
    });
    assert.deepEqual(await limiter.consume('grant-a'), {
      allowed: false,
      limit: 2,
      remaining: 0,
      resetSeconds: 8,
    });
    assert.equal((await limiter.consume('grant-b')).allowed, true);
    nowMs += 7_500;
    assert.deepEqual(await limiter.consume('grant-a'), {
      allowed: true,
      limit: 2,
      remaining: 1,
      resetSeconds: 10,
    });
    assert.equal(await store.get('rl:grant-a'), '1');
    await store.close();
  });

  it('fails open when the store cannot answer, logging the outage once and the recovery once', async () => {
    let failing = true;
    const memory = createMemoryStore({ clock: { nowMs: () => 0 } });
    const store: KeyValueStore = {
      ...memory,
      increment: (key, windowMs) =>
        failing
          ? Promise.reject(new DependencyUnavailableError('store', 'down'))
          : memory.increment(key, windowMs),
    };
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      appName: 'test',
      environment: 'test',
      destination: new Writable({
        write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()),
      }),
    });
    const limiter = createRateLimiter(store, { maxRequests: 1, windowMs: 60_000, keyPrefix: 'rl:', logger });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      assert.deepEqual(await limiter.consume('grant'), {
        allowed: true,
        limit: 1,
        remaining: 1,
        resetSeconds: 60,
      });
    }
    failing = false;
    assert.equal((await limiter.consume('grant')).allowed, true);
    assert.equal((await limiter.consume('grant')).allowed, false);
    const events = lines.map((line) => (JSON.parse(line) as { event: string }).event);
    assert.deepEqual(events, ['rate_limit.store_unavailable', 'rate_limit.store_recovered']);
    await memory.close();
  });
});

describe('writeRateLimitHeaders', () => {
  const response = (): ServerResponse => new ServerResponse(new IncomingMessage(new Socket()));

  it('writes the draft RateLimit headers, and Retry-After only on refusal', () => {
    const allowed = response();
    writeRateLimitHeaders(allowed, { allowed: true, limit: 60, remaining: 59, resetSeconds: 42 });
    assert.equal(allowed.getHeader('ratelimit-limit'), 60);
    assert.equal(allowed.getHeader('ratelimit-remaining'), 59);
    assert.equal(allowed.getHeader('ratelimit-reset'), 42);
    assert.equal(allowed.getHeader('retry-after'), undefined);
    const refused = response();
    writeRateLimitHeaders(refused, { allowed: false, limit: 60, remaining: 0, resetSeconds: 7 });
    assert.equal(refused.getHeader('retry-after'), 7);
  });

  it('gives the same headers as a record', () => {
    assert.deepEqual(rateLimitHeaders({ allowed: false, limit: 60, remaining: 0, resetSeconds: 7 }), {
      'ratelimit-limit': '60',
      'ratelimit-remaining': '0',
      'ratelimit-reset': '7',
      'retry-after': '7',
    });
    assert.equal(
      rateLimitHeaders({ allowed: true, limit: 1, remaining: 1, resetSeconds: 1 })['retry-after'],
      undefined,
    );
  });
});
