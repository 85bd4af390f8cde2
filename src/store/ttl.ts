/**
 * Validates a TTL given to the store and returns it as whole milliseconds
 * (Redis `PX` only takes integers), or undefined for "keep until deleted".
 * A zero, negative or non-finite TTL is a caller's bug, not "expire now".
 */
export function wholeTtlMs(ttlMs: number | undefined): number | undefined {
  if (ttlMs === undefined) return undefined;
  if (!Number.isFinite(ttlMs) || ttlMs <= 0)
    throw new RangeError(`TTL must be a positive number of ms, got ${ttlMs}`);
  return Math.ceil(ttlMs);
}

/** Validates what increment() adds: a positive whole number (default 1). */
export function wholeAmount(amount: number | undefined): number {
  if (amount === undefined) return 1;
  if (!Number.isSafeInteger(amount) || amount < 1)
    throw new RangeError(`amount must be a positive integer, got ${amount}`);
  return amount;
}

/** Validates the window of a fixed-window counter (always required). */
export function wholeWindowMs(windowMs: number): number {
  const whole = wholeTtlMs(windowMs);
  if (whole === undefined) throw new RangeError('window is required');
  return whole;
}
