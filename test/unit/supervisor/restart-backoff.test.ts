import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRestartBackoff, DEFAULT_RESTART_BACKOFF } from '../../../src/supervisor/restart-backoff.ts';

describe('restart backoff', () => {
  it('starts at 500 ms, doubles on each consecutive failure and stops at 30 s by default', () => {
    const backoff = createRestartBackoff(DEFAULT_RESTART_BACKOFF);
    const delays = Array.from({ length: 9 }, () => backoff.next(0).delayMs);
    assert.deepEqual(delays, [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('numbers the consecutive attempts from 1', () => {
    const backoff = createRestartBackoff(DEFAULT_RESTART_BACKOFF);
    assert.deepEqual([backoff.next(0).attempt, backoff.next(0).attempt, backoff.next(0).attempt], [1, 2, 3]);
  });

  it('starts over at the initial delay once the child stayed up for resetAfterMs', () => {
    const backoff = createRestartBackoff({ initialMs: 100, maxMs: 10_000, resetAfterMs: 5_000 });
    backoff.next(0);
    backoff.next(10);
    assert.equal(backoff.next(4_999).delayMs, 400);
    assert.deepEqual(backoff.next(5_000), { delayMs: 100, attempt: 1 });
  });

  it('never exceeds the ceiling however long the crash loop lasts', () => {
    const backoff = createRestartBackoff({ initialMs: 500, maxMs: 30_000, resetAfterMs: 60_000 });
    let last = 0;
    for (let failure = 0; failure < 2_000; failure += 1) last = backoff.next(0).delayMs;
    assert.equal(last, 30_000);
  });
});
