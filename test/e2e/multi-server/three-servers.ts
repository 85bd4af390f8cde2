/**
 * One proxy in front of three MCP servers, listed in a servers file
 * (MCP_AUTH_PROXY_SERVERS_FILE): an HTTP server the test runs (`notes`), a
 * command the proxy supervises (`tickets`, with a step-up scope rule), and a
 * stdio server bridged per session (`files`). The fake IdP remembers logins,
 * as a real IdP's session does, so a browser logs in there once.
 */
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { startFakeIdp, type FakeIdp } from '../../support/fake-idp.ts';
import { freePort } from '../../support/free-port.ts';
import type { McpFixtureServer } from '../../support/mcp-fixture-server.ts';
import {
  startIdpCheckedFixture,
  startTestProxy,
  supervisedFixtureServer,
  type MultiServerTestProxy,
} from '../../support/test-proxy.ts';
import type { UserAgent } from '../../support/user-agent.ts';
import { STDIO_FIXTURE_PATH } from '../stdio-bridge/stdio-steps.ts';

export type ServerId = 'notes' | 'tickets' | 'files';

/** In the servers file's order: `notes`, the first, is the default resource. */
export const SERVER_IDS: readonly ServerId[] = ['notes', 'tickets', 'files'];

export const SERVERS: Readonly<Record<ServerId, { readonly path: string; readonly displayName: string }>> = {
  notes: { path: '/notes/mcp', displayName: 'Team Notes' },
  tickets: { path: '/tickets/mcp', displayName: 'Ticket Desk' },
  files: { path: '/files/mcp', displayName: 'Shared Files' },
};

/** Only the tickets server has this scope, and only its `whoami` needs it. */
export const TICKETS_STEP_UP_SCOPE = 'tickets:write';

export interface ThreeServers {
  readonly proxy: MultiServerTestProxy;
  readonly idp: FakeIdp;
  /** The `notes` server: the SDK fixture in this process, accepting the IdP's tokens only. */
  readonly notes: McpFixtureServer;
  /** The public MCP URL of a server. */
  urlOf(id: ServerId): string;
  /** Its protected resource metadata URL (RFC 9728 §3.1: the well-known prefix before the path). */
  metadataUrlOf(id: ServerId): string;
  /** Stops the `notes` server (once; later calls do nothing), as an outage of one upstream. */
  stopNotes(): Promise<void>;
  close(): Promise<void>;
}

export async function startThreeServers(): Promise<ThreeServers> {
  const idp = await startFakeIdp({ mode: 'oidc', rememberLogins: true });
  const notes = await startIdpCheckedFixture(idp);
  let proxy: MultiServerTestProxy;
  try {
    proxy = await startTestProxy({ idp, serversFile: { servers: await serversFileEntries(notes) } });
  } catch (error) {
    await notes.close();
    await idp.close();
    throw error;
  }
  let notesStopped: Promise<void> | undefined;
  const stopNotes = () => (notesStopped ??= notes.close());
  return {
    proxy,
    idp,
    notes,
    urlOf: (id) => proxy.urlOf(id),
    metadataUrlOf: (id) => `${proxy.baseUrl}/.well-known/oauth-protected-resource${SERVERS[id].path}`,
    stopNotes,
    async close() {
      await proxy.close();
      await stopNotes();
      await idp.close();
    },
  };
}

async function serversFileEntries(notes: McpFixtureServer): Promise<Record<string, unknown>[]> {
  return [
    { id: 'notes', ...SERVERS.notes, url: notes.url },
    {
      id: 'tickets',
      ...SERVERS.tickets,
      ...supervisedFixtureServer(await freePort()),
      scopes: ['openid', 'offline_access', TICKETS_STEP_UP_SCOPE],
      scopeRules: `tools/call whoami=${TICKETS_STEP_UP_SCOPE}`,
    },
    {
      id: 'files',
      ...SERVERS.files,
      stdio: { command: process.execPath, args: [STDIO_FIXTURE_PATH] },
    },
  ];
}

/** A fetch for the SDK's own OAuth requests that records each one, to count registrations. */
export function recordingFetch(): { fetchFn: FetchLike; requests: Array<{ method: string; url: URL }> } {
  const requests: Array<{ method: string; url: URL }> = [];
  const fetchFn: FetchLike = async (url, init) => {
    requests.push({ method: init?.method ?? 'GET', url: new URL(url) });
    return await fetch(url, init);
  };
  return { fetchFn, requests };
}

/** How often this browser submitted the proxy's confirmation page (POST …/confirm-login). */
export function confirmationSubmissions(agent: UserAgent): number {
  return agent.hops.filter((hop) => new URL(hop.url).pathname.endsWith('/confirm-login')).length;
}

/** A tools/call as a raw JSON-RPC message (for postMcp). */
export function toolCall(
  id: number,
  name: string,
  args: Record<string, unknown> = {},
): Record<string, unknown> {
  return { id, method: 'tools/call', params: { name, arguments: args } };
}
