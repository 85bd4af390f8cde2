import type { IncomingHttpHeaders } from 'node:http';
import { OAuthError } from '../oauth/oauth-error.ts';

const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface McpRequestOriginOptions {
  /** BASE_URL: its origin is always allowed. */
  readonly baseUrl: string;
  /** MCP_AUTH_PROXY_ALLOWED_ORIGINS, already normalised to `scheme://host[:port]`. */
  readonly allowedOrigins: readonly string[];
  /** LOCAL_INSECURE: the proxy runs on a developer's machine, where DNS rebinding is the threat. */
  readonly localInsecure: boolean;
}

/**
 * DNS-rebinding protection for the MCP endpoint (MCP transports 2025-06-18 and
 * 2025-11-25 §2.0.1, 2026-07-28 streamable-http §1: servers MUST validate
 * `Origin`, and answer 403 when it is present and invalid).
 *
 * - `Origin` absent: allowed. Browsers send it on every cross-origin request
 *   and on every POST; MCP clients that are programs (the SDK, Claude Code,
 *   mcp-remote) send none.
 * - `Origin` present: it must be BASE_URL's origin or one of
 *   MCP_AUTH_PROXY_ALLOWED_ORIGINS. With LOCAL_INSECURE, loopback origins
 *   (a local MCP Inspector) are allowed too: a rebinding attacker's page
 *   always has its own, non-loopback origin.
 * - `Host`, with LOCAL_INSECURE only: BASE_URL's host name or a loopback name.
 *   A rebinding page reaches a local server under the attacker's host name
 *   (the conformance `dns-rebinding-protection` scenario sends
 *   `Host: evil.example.com`). Over https (production) the certificate already
 *   binds the host name, and routers in front may rewrite Host, so it is not
 *   checked there.
 *
 * Returns the refusal to send, or undefined when the request may go on.
 */
export function createMcpRequestOriginCheck(
  options: McpRequestOriginOptions,
): (headers: IncomingHttpHeaders) => OAuthError | undefined {
  const base = new URL(options.baseUrl);
  const allowed = new Set([base.origin, ...options.allowedOrigins]);
  const isLoopbackOrigin = (origin: URL) =>
    (origin.protocol === 'http:' || origin.protocol === 'https:') && LOOPBACK_HOSTNAMES.has(origin.hostname);
  const isServedHost = (host: string | undefined) => {
    const hostname = URL.parse(`http://${host ?? ''}`)?.hostname;
    return hostname !== undefined && (hostname === base.hostname || LOOPBACK_HOSTNAMES.has(hostname));
  };
  // A client sends the same Host on every request: the verdict on the last one is kept, so the
  // hot path does not parse a URL per request (docs/benchmarks.md).
  let lastHost: string | undefined;
  let lastHostServed = false;

  return (headers) => {
    const origin = headers.origin;
    if (origin !== undefined) {
      const parsed = URL.parse(origin);
      const permitted =
        parsed !== null &&
        (allowed.has(parsed.origin) || (options.localInsecure && isLoopbackOrigin(parsed)));
      if (!permitted) {
        return new OAuthError(
          'forbidden',
          'This origin may not call the MCP endpoint (add it to MCP_AUTH_PROXY_ALLOWED_ORIGINS to allow it).',
        );
      }
    }
    if (options.localInsecure) {
      const host = headers.host;
      if (host === undefined || host !== lastHost) {
        lastHost = host;
        lastHostServed = isServedHost(host);
      }
      if (!lastHostServed) {
        return new OAuthError('forbidden', 'This host name is not served here (DNS rebinding protection).');
      }
    }
    return undefined;
  };
}
