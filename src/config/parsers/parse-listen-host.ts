import { isIP } from 'node:net';
import { invalid, valid, type ValueParser } from '../variable.ts';
import { quoteValue } from './quote-value.ts';

/** A DNS name of letters, digits and hyphens per label (RFC 1123 §2.1). */
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** An address to bind a listener to: an IPv4 or IPv6 literal (without brackets), or a host name. */
export const listenHost: ValueParser<string> = (raw) =>
  isIP(raw) !== 0 || HOST_NAME.test(raw)
    ? valid(raw)
    : invalid(`must be an IP address (e.g. 127.0.0.1, 0.0.0.0, ::) or a host name, got ${quoteValue(raw)}`);
