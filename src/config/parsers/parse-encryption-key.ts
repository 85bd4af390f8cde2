import { invalid, valid, type ValueParser } from '../variable.ts';

const KEY_BYTES = 32;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
/** 32 bytes are 43 base64 characters plus one `=` of padding; either alphabet (RFC 4648 §4, §5). */
const BASE64_KEY = /^(?:[A-Za-z0-9+/]{43}=?|[A-Za-z0-9_-]{43})$/;

/**
 * MCP_AUTH_PROXY_ENCRYPTION_KEY: a 256-bit AES key. Hex is tried first since
 * 64 hex digits are also valid base64 (of 48 bytes). The value is never echoed.
 */
export const encryptionKey: ValueParser<Buffer> = (raw) => {
  if (HEX_KEY.test(raw)) return valid(Buffer.from(raw, 'hex'));
  if (BASE64_KEY.test(raw)) {
    const key = Buffer.from(raw, 'base64');
    if (key.length === KEY_BYTES) return valid(key);
  }
  return invalid(
    `must be ${KEY_BYTES} random bytes written as base64 (44 characters), base64url (43 characters) or hex (64 characters); generate one with \`openssl rand -base64 32\``,
  );
};
