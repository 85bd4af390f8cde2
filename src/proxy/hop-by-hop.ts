/**
 * Hop-by-hop header fields (RFC 9110 §7.6.1): they describe one connection,
 * so a proxy consumes them and never forwards them, in either direction.
 * Proxy-Connection and Keep-Alive are the legacy ones RFC 9110 §7.6.1 asks
 * proxies to remove too; HTTP2-Settings only rides on an h2c Upgrade.
 * Names are lower case, as Node gives them and as callers compare them.
 */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/** Connection options that are framing keywords, not header names (RFC 9112 §9.3, §9.6). */
const CONNECTION_KEYWORDS: ReadonlySet<string> = new Set(['close', 'keep-alive']);

/**
 * The extra header names a `Connection` value declares hop-by-hop
 * (RFC 9110 §7.6.1: "any header field named in Connection"). Undefined in the
 * common case (`keep-alive` / `close`), so the hot path allocates nothing.
 */
export function connectionNamedHeaders(connection: string | undefined): Set<string> | undefined {
  if (connection === undefined) return undefined;
  let named: Set<string> | undefined;
  for (const option of connection.split(',')) {
    const name = option.trim().toLowerCase();
    if (name === '' || CONNECTION_KEYWORDS.has(name)) continue;
    (named ??= new Set()).add(name);
  }
  return named;
}

/**
 * Removes the pairs whose name is in `names` from a flat [name, value, …]
 * list, from index `start` on, in place.
 */
export function removeNamedPairs(pairs: string[], names: ReadonlySet<string>, start = 0): void {
  let write = start;
  for (let read = start; read < pairs.length; read += 2) {
    const name = pairs[read]!;
    if (names.has(name.toLowerCase())) continue;
    pairs[write] = name;
    pairs[write + 1] = pairs[read + 1]!;
    write += 2;
  }
  pairs.length = write;
}
