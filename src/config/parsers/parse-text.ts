import { invalid, valid, type ValueParser } from '../variable.ts';
import { quoteValue } from './quote-value.ts';

/** Any text; blank values never reach a parser (they read as unset). */
export const parseText: ValueParser<string> = (raw) => valid(raw);

/** One of a fixed set of words, compared case-insensitively and returned in lower case. */
export function oneOf<const Word extends string>(words: readonly Word[]): ValueParser<Word> {
  return (raw) => {
    const word = words.find((candidate) => candidate === raw.toLowerCase());
    if (word !== undefined) return valid(word);
    return invalid(`must be one of ${words.join(', ')}, got ${quoteValue(raw)}`);
  };
}

/**
 * A path on this server: it starts with `/` and has no query, fragment or
 * blank, because it is both matched against request paths and appended to
 * BASE_URL. `requiredSegment` names a route parameter the path must contain.
 */
export function urlPath(requiredSegment?: string): ValueParser<string> {
  return (raw) => {
    const shape = 'a path that starts with / and has no query, fragment or spaces';
    if (!raw.startsWith('/') || /[?#\s]/.test(raw))
      return invalid(`must be ${shape}, got ${quoteValue(raw)}`);
    if (requiredSegment !== undefined && !raw.split('/').includes(requiredSegment)) {
      return invalid(
        `must contain the path segment ${requiredSegment} (e.g. /interaction/${requiredSegment}/identity/callback), got ${quoteValue(raw)}`,
      );
    }
    return valid(raw);
  };
}

/**
 * A name a child process can read from its environment: letters, digits and
 * underscores, not starting with a digit (POSIX.1-2017 XBD §8.1, the portable
 * form every shell and runtime accepts).
 */
export const environmentVariableName: ValueParser<string> = (raw) =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(raw)
    ? valid(raw)
    : invalid(
        `must be an environment variable name (letters, digits and _, not starting with a digit), got ${quoteValue(raw)}`,
      );
