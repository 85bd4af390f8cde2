/**
 * Maps a request under the public mount path to the MCP server's URL: the
 * subpath is appended to MCP_SERVER_URL's path, and the query is
 * MCP_SERVER_URL's own query followed by the request's (heroku-compat §10:
 * forward the subpath and query).
 */
export interface UpstreamTarget {
  /**
   * The upstream path and query for a request's path and query (`?…` or '', as
   * the edge split them), or undefined when the path is not under the mount.
   */
  pathFor(pathname: string, search: string): string | undefined;
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
    pathFor(pathname, search) {
      if (!mountIsRoot) {
        if (!pathname.startsWith(mount)) return undefined;
        const next = pathname.charCodeAt(mount.length);
        // `/mcp` and `/mcp/x` are under the mount; `/mcpx` is not.
        if (!Number.isNaN(next) && next !== 0x2f) return undefined;
      } else if (pathname.charCodeAt(0) !== 0x2f) {
        return undefined;
      }

      const subpath = mountIsRoot ? pathname : pathname.slice(mount.length);
      // A dot segment could walk out of the mount once the MCP server
      // normalizes the path, reaching routes the mount was meant to hide.
      if (DOT_SEGMENT.test(subpath)) return undefined;
      const requestQuery = search.slice(1);

      const path = basePath + (subpath === '' && basePath === '' ? '/' : subpath);
      if (baseQuery === '') return requestQuery === '' ? path : `${path}?${requestQuery}`;
      return requestQuery === '' ? `${path}?${baseQuery}` : `${path}?${baseQuery}&${requestQuery}`;
    },
  };
}
