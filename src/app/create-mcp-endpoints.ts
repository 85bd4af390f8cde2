import type { McpServer } from '../config/config.ts';
import { createMcpEndpoint, type McpEndpoint, type McpEndpointDependencies } from './create-mcp-endpoint.ts';

export interface McpEndpoints {
  /** One per configured server, in the configuration's order. */
  readonly endpoints: readonly McpEndpoint[];
  /** The first server's supervisor, when it has one (the MCP_SERVER_* server's, in a single-server setup). */
  readonly supervisor: McpEndpoint['supervisor'];
  /** Closes every endpoint: requests refused, sessions ended, supervised servers stopped. */
  close(): Promise<void>;
}

/**
 * One endpoint per server (create-mcp-endpoint.ts), each with its own
 * admission, rate limit, step-up rules and upstream: its own client and
 * supervisor, or its own stdio bridge. Supervised servers start together; if
 * one cannot start, those already built are closed again before the error is
 * reported.
 */
export async function createMcpEndpoints(
  servers: readonly McpServer[],
  dependencies: McpEndpointDependencies,
): Promise<McpEndpoints> {
  const built = await Promise.allSettled(servers.map((server) => createMcpEndpoint(server, dependencies)));
  const endpoints = built.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const close = async (): Promise<void> => {
    await Promise.all(endpoints.map((endpoint) => endpoint.close()));
  };
  const failed = built.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await close();
    throw failed.reason;
  }
  return { endpoints, supervisor: endpoints[0]?.supervisor, close };
}
