import type { ProcessExit } from './exit-code.ts';
import { formatAddress, type PortAddress } from './probe-port.ts';

/** Why the MCP server never became ready. */
export type McpServerStartFailure = 'timeout' | 'exited' | 'spawn-failed' | 'port-in-use' | 'stopped';

export interface McpServerStartErrorDetails {
  readonly reason: McpServerStartFailure;
  readonly command: string;
  readonly address: PortAddress;
  readonly timeoutMs: number;
  readonly stderrTail?: readonly string[];
  readonly exit?: ProcessExit;
  readonly cause?: unknown;
}

/**
 * The MCP server could not be started. The message is written for the
 * operator reading a deploy log: which command, which port, how long we
 * waited, and the child's own last words on stderr. Arguments and environment
 * are left out because they may carry credentials.
 */
export class McpServerStartError extends Error {
  readonly reason: McpServerStartFailure;
  readonly command: string;
  readonly address: PortAddress;
  readonly timeoutMs: number;
  readonly stderrTail: readonly string[];
  readonly exit: ProcessExit | undefined;

  constructor(details: McpServerStartErrorDetails) {
    super(messageFor(details), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'McpServerStartError';
    this.reason = details.reason;
    this.command = details.command;
    this.address = details.address;
    this.timeoutMs = details.timeoutMs;
    this.stderrTail = details.stderrTail ?? [];
    this.exit = details.exit;
  }
}

function messageFor(details: McpServerStartErrorDetails): string {
  const where = formatAddress(details.address);
  const command = JSON.stringify(details.command);
  const headline = headlineFor(details, where, command);
  const tail = details.stderrTail ?? [];
  if (tail.length === 0) return `${headline}. It wrote nothing to stderr.`;
  return `${headline}. Last stderr lines:\n${tail.map((line) => `  ${line}`).join('\n')}`;
}

function headlineFor(details: McpServerStartErrorDetails, where: string, command: string): string {
  switch (details.reason) {
    case 'timeout':
      return `MCP server (command ${command}) did not accept connections on ${where} within ${details.timeoutMs} ms (MCP_SERVER_START_TIMEOUT_MS)`;
    case 'exited':
      return `MCP server (command ${command}) exited ${describeExit(details.exit)} before accepting connections on ${where}`;
    case 'spawn-failed':
      return `MCP server command ${command} could not be started: ${causeMessage(details.cause)}`;
    case 'port-in-use':
      return `Something already accepts connections on ${where} before the MCP server (command ${command}) was started; MCP_SERVER_URL must name the port the server itself will listen on`;
    case 'stopped':
      return `MCP server (command ${command}) was stopped before it accepted connections on ${where}`;
  }
}

function describeExit(exit: ProcessExit | undefined): string {
  if (exit?.signal) return `on signal ${exit.signal}`;
  if (exit?.code !== null && exit?.code !== undefined) return `with code ${exit.code}`;
  return 'unexpectedly';
}

function causeMessage(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
