/** Time is injected so that tests advance a clock instead of sleeping. */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

export const nowSeconds = (clock: Clock): number => Math.floor(clock.nowMs() / 1000);
