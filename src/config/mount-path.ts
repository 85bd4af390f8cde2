import { quoteValue } from './parsers/index.ts';

/**
 * First path segments the authorization server, login pages, connected-apps page and admin
 * API own. Mounting an MCP endpoint on one of them would swallow those routes.
 */
const RESERVED_SEGMENTS = [
  '.well-known',
  'account',
  'admin',
  'auth',
  'device',
  'interaction',
  'jwks',
  'me',
  'reg',
  'request',
  'session',
  'token',
];

/**
 * What is wrong with `path` as the public mount path of an MCP endpoint, as a
 * predicate ("must have ...", "has the path ..."); undefined when it is fine.
 * The same rules hold for MCP_SERVER_URL's path, MCP_SERVER_PATH and every
 * path of the servers file.
 */
export function mountPathProblem(path: string): string | undefined {
  if (path === '/') {
    return 'must have a path such as /mcp: it is the public path of the MCP endpoint, and / would swallow every other route';
  }
  const segments = path.split('/');
  const first = segments[1] ?? '';
  if (RESERVED_SEGMENTS.includes(first)) {
    return `has the path ${quoteValue(path)}, which collides with the proxy's own /${first} routes; use a path such as /mcp`;
  }
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    return `has the path ${quoteValue(path)}, which has a dot segment; use a path such as /mcp`;
  }
  return undefined;
}

/**
 * Whether two mount paths would both match one request path: equal, or one is
 * a whole-segment prefix of the other (`/a` and `/a/b`, not `/a` and `/ab`).
 * A trailing slash does not make a path distinct.
 */
export function mountPathsOverlap(a: string, b: string): boolean {
  const trimmed = (path: string) => path.replace(/\/+$/, '');
  const [first, second] = [trimmed(a), trimmed(b)];
  return first === second || first.startsWith(`${second}/`) || second.startsWith(`${first}/`);
}
