import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ObservedEvent } from '../observability/index.ts';
import { mcpMethodLabel } from './mcp-method-label.ts';

/** When an MCP request began and ended, and (when it was forwarded) when it went upstream and its answer's head came back; clock ms. */
export interface McpRequestTiming {
  readonly startedMs: number;
  readonly endedMs: number;
  readonly forwardedAtMs?: number | undefined;
  readonly firstByteAtMs?: number | undefined;
}

/** The `mcp.request` event of a finished request, as the HTTP proxy and the stdio bridge both tell it. */
export function mcpRequestEvent(
  server: string,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer | undefined,
  timing: McpRequestTiming,
): ObservedEvent {
  const { forwardedAtMs, firstByteAtMs } = timing;
  return {
    type: 'mcp.request',
    server,
    method: mcpMethodLabel(req.method, req.headers, body),
    status: res.statusCode,
    durationSeconds: (timing.endedMs - timing.startedMs) / 1000,
    upstreamFirstByteSeconds:
      forwardedAtMs === undefined || firstByteAtMs === undefined
        ? undefined
        : (firstByteAtMs - forwardedAtMs) / 1000,
  };
}
