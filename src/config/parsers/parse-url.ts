import { invalid, valid, type Parsed, type ValueParser } from '../variable.ts';
import { quoteValue } from './quote-value.ts';

function parseUrl(raw: string): URL | undefined {
  return URL.canParse(raw) ? new URL(raw) : undefined;
}

const listProtocols = (protocols: readonly string[]): string =>
  protocols.map((protocol) => `${protocol}//`).join(' or ');

/** An absolute URL whose scheme is one of `protocols` (each with its colon, e.g. `https:`). */
export function absoluteUrl(protocols: readonly string[]): ValueParser<URL> {
  return (raw) => {
    const url = parseUrl(raw);
    if (url !== undefined && protocols.includes(url.protocol)) return valid(url);
    return invalid(`must be an absolute ${listProtocols(protocols)} URL, got ${quoteValue(raw)}`);
  };
}

export const httpUrl: ValueParser<URL> = absoluteUrl(['http:', 'https:']);

/**
 * A bare web origin (RFC 6454 §4): scheme, host and port only. An origin is
 * what the issuer, the redirect URI and CORS checks are built from, so a path,
 * query or credentials would leak into every one of them. Returns the URL, or
 * what the value must be instead.
 */
function toOrigin(raw: string): URL | { readonly mustBe: string } {
  const url = parseUrl(raw);
  if (url === undefined) return { mustBe: 'be an absolute URL' };
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { mustBe: 'use http:// or https://' };
  if (url.username !== '' || url.password !== '') return { mustBe: 'carry no user name or password' };
  if (url.pathname !== '/') return { mustBe: `have no path (found ${quoteValue(url.pathname)})` };
  if (url.search !== '' || url.hash !== '') return { mustBe: 'have no query or fragment' };
  return url;
}

/** An http(s) origin; a trailing slash is accepted and dropped (`URL.origin`). */
export const httpOrigin: ValueParser<URL> = (raw) => {
  const origin = toOrigin(raw);
  if (origin instanceof URL) return valid(origin);
  return invalid(
    `must be an origin such as https://mcp.example.com (scheme, host and optional port); it must ${origin.mustBe}, got ${quoteValue(raw)}`,
  );
};

/** Comma-separated origins, normalised to `scheme://host[:port]`; every bad entry is named. */
export const originList: ValueParser<readonly string[]> = (raw) => {
  const origins: string[] = [];
  const messages: string[] = [];
  for (const entry of raw.split(',').map((part) => part.trim())) {
    if (entry === '') continue;
    const origin = toOrigin(entry);
    if (origin instanceof URL) origins.push(origin.origin);
    else
      messages.push(
        `has ${quoteValue(entry)}, which is not an origin such as https://app.example.com: it must ${origin.mustBe}`,
      );
  }
  return messages.length > 0 ? { ok: false, messages } : valid([...new Set(origins)]);
};

/**
 * redis:// or rediss:// (TLS). The value is a secret (it usually embeds the
 * password), so only its scheme is ever echoed.
 */
export const redisUrl: ValueParser<string> = (raw): Parsed<string> => {
  const url = parseUrl(raw);
  const expected = 'must be a redis:// or rediss:// URL such as rediss://:password@host:6379';
  if (url === undefined)
    return invalid(`${expected}; the value does not parse as a URL (not shown: it may hold a password)`);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    return invalid(`${expected}, got a URL with scheme ${quoteValue(url.protocol)}`);
  }
  return valid(raw);
};
