/**
 * Maps a request under the public mount path to the MCP server's URL: the
 * subpath is appended to MCP_SERVER_URL's path, and the query is
 * MCP_SERVER_URL's own query followed by the request's (heroku-compat §10:
 * forward the subpath and query).
 */
export interface UpstreamTarget {
  /** The upstream path and query for a request target, or undefined when it is not under the mount. */
  pathFor(requestTarget: string): string | undefined;
}

/**
 * `.` and `..` segments (RFC 3986 §3.3, §5.2.4), also percent-encoded and
 * next to an encoded slash or a backslash, which some servers decode or
 * treat as `/`.
 */
const DOT_SEGMENT = /(?:^|\/|\\|%2f|%5c)(?:\.|%2e){1,2}(?:\/|\\|%2f|%5c|$)/i;

export function createUpstreamTarget(mountPath: string, upstreamUrl: URL): UpstreamTarget {
  const mount = mountPath.endsWith('/') && mountPath !== '/' ? mountPath.slice(0, -1) : mountPath;
  const basePath = upstreamUrl.pathname.endsWith('/')
    ? upstreamUrl.pathname.slice(0, -1)
    : upstreamUrl.pathname;
  const baseQuery = upstreamUrl.search.slice(1);
  const mountIsRoot = mount === '/';

  return {
    pathFor(requestTarget) {
      if (!mountIsRoot) {
        if (!requestTarget.startsWith(mount)) return undefined;
        const next = requestTarget.charCodeAt(mount.length);
        // `/mcp`, `/mcp/x` and `/mcp?y` are under the mount; `/mcpx` is not.
        if (!Number.isNaN(next) && next !== 0x2f && next !== 0x3f) return undefined;
      } else if (requestTarget.charCodeAt(0) !== 0x2f) {
        return undefined;
      }

      const rest = mountIsRoot ? requestTarget : requestTarget.slice(mount.length);
      const queryStart = rest.indexOf('?');
      const subpath = queryStart === -1 ? rest : rest.slice(0, queryStart);
      // A dot segment could walk out of the mount once the MCP server
      // normalizes the path, reaching routes the mount was meant to hide.
      if (DOT_SEGMENT.test(subpath)) return undefined;
      const requestQuery = queryStart === -1 ? '' : rest.slice(queryStart + 1);

      const path = basePath + (subpath === '' && basePath === '' ? '/' : subpath);
      if (baseQuery === '') return requestQuery === '' ? path : `${path}?${requestQuery}`;
      return requestQuery === '' ? `${path}?${baseQuery}` : `${path}?${baseQuery}&${requestQuery}`;
    },
  };
}
