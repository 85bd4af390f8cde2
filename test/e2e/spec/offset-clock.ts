import type { Clock } from '../../../src/shared/clock.ts';

/**
 * Real time plus an offset the test moves forward. oidc-provider stamps its
 * own `iat`/`exp` with real time, so a clock frozen at another date would make
 * every token look expired to the proxy; this one only ever runs ahead.
 */
export interface OffsetClock extends Clock {
  advance(ms: number): void;
}

export function createOffsetClock(): OffsetClock {
  let offsetMs = 0;
  return {
    nowMs: () => Date.now() + offsetMs,
    advance(ms) {
      offsetMs += ms;
    },
  };
}
