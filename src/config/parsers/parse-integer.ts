import { invalid, valid, type ValueParser } from '../variable.ts';
import { quoteValue } from './quote-value.ts';

const DIGITS = /^\d+$/;

/**
 * A whole number within [min, max]. Only plain digits are accepted: parseInt's
 * leniency ("60s" -> 60, "1e3" -> 1) turned typos into silent misconfiguration
 * in the Heroku proxy.
 */
export function integerInRange(min: number, max: number): ValueParser<number> {
  return (raw) => {
    const value = DIGITS.test(raw) ? Number(raw) : Number.NaN;
    if (Number.isSafeInteger(value) && value >= min && value <= max) return valid(value);
    return invalid(`must be a whole number from ${min} to ${max}, got ${quoteValue(raw)}`);
  };
}

/** The largest delay Node timers accept (2^31 - 1 ms); longer ones fire immediately. */
export const MAX_TIMER_MS = 2_147_483_647;

export const positiveInteger: ValueParser<number> = integerInRange(1, Number.MAX_SAFE_INTEGER);
export const positiveMilliseconds: ValueParser<number> = integerInRange(1, MAX_TIMER_MS);
export const nonNegativeMilliseconds: ValueParser<number> = integerInRange(0, MAX_TIMER_MS);
