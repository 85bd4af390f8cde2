import { invalid, valid, type ValueParser } from '../variable.ts';
import { quoteValue } from './quote-value.ts';

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);

/**
 * The Heroku proxy compared with the exact string 'true' and treated anything
 * else as false, so `LOCAL_INSECURE=True` silently did nothing. We accept the
 * usual spellings and refuse the rest instead of guessing.
 */
export const parseBoolean: ValueParser<boolean> = (raw) => {
  const word = raw.toLowerCase();
  if (TRUE_WORDS.has(word)) return valid(true);
  if (FALSE_WORDS.has(word)) return valid(false);
  return invalid(`must be true or false (also accepted: 1/0, yes/no), got ${quoteValue(raw)}`);
};
