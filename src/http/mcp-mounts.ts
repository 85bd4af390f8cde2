/** An MCP endpoint mounted at a public path: the path itself and everything below it. */
export interface McpMount<E> {
  readonly path: string;
  readonly endpoint: E;
}

export interface McpMounts<E> {
  /** The mount that serves the path, the longest when several could, or undefined. */
  match(pathname: string): McpMount<E> | undefined;
}

const SLASH = 47;

/**
 * The route table's MCP part: a mount serves its path and every path below it
 * (`/mcp`, `/mcp/x`; never `/mcpx`). A match costs a Map lookup per leading
 * segment of the request's path, up to the deepest mount, however many servers
 * there are: the hot path does not grow with the configuration.
 */
export function createMcpMounts<E>(mounts: readonly McpMount<E>[]): McpMounts<E> {
  const byPath = new Map<string, McpMount<E>>();
  let deepestSlashes = 0;
  for (const mount of mounts) {
    if (byPath.has(mount.path)) throw new Error(`two MCP servers are mounted at ${mount.path}`);
    byPath.set(mount.path, mount);
    deepestSlashes = Math.max(deepestSlashes, slashesIn(mount.path));
  }

  return {
    match(pathname) {
      // Candidates: each prefix that ends before a `/`, then the whole path; the last found is the longest.
      let found: McpMount<E> | undefined;
      let slashes = 1;
      let end = pathname.indexOf('/', 1);
      while (end !== -1 && slashes <= deepestSlashes) {
        found = byPath.get(pathname.slice(0, end)) ?? found;
        slashes += 1;
        end = pathname.indexOf('/', end + 1);
      }
      if (end === -1 && slashes <= deepestSlashes) found = byPath.get(pathname) ?? found;
      return found;
    },
  };
}

function slashesIn(path: string): number {
  let count = 0;
  for (let index = 0; index < path.length; index += 1) if (path.charCodeAt(index) === SLASH) count += 1;
  return count;
}
