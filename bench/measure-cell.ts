/**
 * Runs one load cell against a target, charging the target's proxy process
 * (when it has one) and the MCP server for the CPU time it used.
 */
import { runCell, type CellResult } from './load-cell.ts';
import { mcpHeaders, PAYLOAD_BODIES, type PayloadName } from './payloads.ts';
import type { Target } from './start-targets.ts';

export function measureCell(
  target: Target,
  mcpServerPid: number,
  payload: PayloadName,
  connections: number,
  seconds: number,
): Promise<CellResult> {
  return runCell(
    {
      url: target.url,
      body: PAYLOAD_BODIES[payload],
      headers: mcpHeaders(target.accessToken),
      connections,
      durationSeconds: seconds,
    },
    target.proxyPid === undefined ? { mcp: mcpServerPid } : { proxy: target.proxyPid, mcp: mcpServerPid },
  );
}
