import { invalid, valid, type ValueParser } from '../variable.ts';
import { quoteValue } from './quote-value.ts';

/** The Heroku proxy splits scope lists on commas and blanks alike. */
const SEPARATORS = /[, ]+/;
/** scope-token = 1*( %x21 / %x23-5B / %x5D-7E ): printable ASCII except space, `"` and `\` (RFC 6749 §3.3). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Whether `scope` is one RFC 6749 §3.3 scope token. */
export const isScopeToken = (scope: string): boolean => SCOPE_TOKEN.test(scope);

export const parseScopeList: ValueParser<readonly string[]> = (raw) => {
  const scopes = [...new Set(raw.split(SEPARATORS).filter((scope) => scope !== ''))];
  if (scopes.length === 0) return invalid('must list at least one scope, separated by spaces or commas');
  const bad = scopes.filter((scope) => !isScopeToken(scope));
  if (bad.length > 0) {
    return invalid(
      `holds ${bad.map(quoteValue).join(', ')}, which RFC 6749 §3.3 does not allow in a scope (printable ASCII except " and \\)`,
    );
  }
  return valid(scopes);
};
