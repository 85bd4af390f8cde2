import { invalid, valid, type ValueParser } from '../variable.ts';
import { quoteValue } from './quote-value.ts';

/** field-name = token; tchar per RFC 9110 §5.6.2. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Headers the proxy itself sets, strips or relies on when forwarding: naming
 * one of them would overwrite the swapped bearer token or break framing.
 */
const RESERVED = new Set([
  'authorization',
  'connection',
  'content-length',
  'content-type',
  'cookie',
  'host',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** An HTTP header name, returned in lower case (Node's form for incoming headers). */
export const headerName: ValueParser<string> = (raw) => {
  if (!TOKEN.test(raw))
    return invalid(`must be an HTTP header name such as x-authorization-user-id, got ${quoteValue(raw)}`);
  const name = raw.toLowerCase();
  if (RESERVED.has(name))
    return invalid(`cannot be ${quoteValue(name)}: the proxy manages that header itself`);
  return valid(name);
};
