/**
 * The servers file of `npm run bench --servers 3`: three HTTP MCP servers
 * behind one proxy (MCP_AUTH_PROXY_SERVERS_FILE, docs/configuration.md), the
 * measured one at /mcp, where the single-server proxy serves its one server,
 * so that both answer the same request bytes. It is listed last: neither being
 * the default resource nor being the first entry may make it cheaper.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The other servers' mount paths; the measured one is at /mcp. */
const IDLE_SERVER_PATHS = ['/tickets/mcp', '/docs/mcp'] as const;

/**
 * Writes `servers.json` into `dir` and returns its path. `measuredUrl` is the
 * MCP endpoint the load goes to; `idleUrls` (two) are the endpoints of the others.
 */
export async function writeThreeServersFile(
  dir: string,
  measuredUrl: string,
  idleUrls: readonly [string, string],
): Promise<string> {
  const path = join(dir, 'servers.json');
  const servers = [
    { id: 'tickets', path: IDLE_SERVER_PATHS[0], url: idleUrls[0] },
    { id: 'docs', path: IDLE_SERVER_PATHS[1], url: idleUrls[1] },
    { id: 'echo', path: '/mcp', url: measuredUrl },
  ];
  await writeFile(path, JSON.stringify({ servers }, null, 2) + '\n');
  return path;
}
