import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { settlesWithin } from '../shared/settles-within.ts';
import { terminateChild } from '../supervisor/index.ts';
import type { StdioChild } from './spawn-stdio-child.ts';

/**
 * How long a child may take to exit on its own once its stdin is closed,
 * before it gets SIGTERM (MCP lifecycle, "Shutdown" for stdio: close the
 * input stream, wait, then SIGTERM, then SIGKILL).
 */
const STDIN_EOF_GRACE_MS = 1_000;
/** After the child exits, how long its last lines may take to arrive on stdout. */
const STDOUT_DRAIN_MS = 1_000;

/** The client side of MCP's stdio transport, facing one child process. */
export interface ChildStdioTransport extends Transport {
  readonly pid: number;
}

/**
 * An SDK `Transport` over a child we spawned ourselves. The framing is the
 * SDK's own (`ReadBuffer`, `serializeMessage`: newline-delimited JSON-RPC,
 * each line validated against the JSON-RPC schema), the same code its
 * StdioClientTransport runs; we spawn the process because that transport
 * cannot put the child in a process group, and stopping has to reach
 * grandchildren and honour the proxy's shutdown grace.
 */
export function createChildStdioTransport(child: StdioChild, graceMs: number): ChildStdioTransport {
  const buffer = new ReadBuffer();
  let closed = false;
  let stopping: Promise<void> | undefined;

  const finish = (): void => {
    if (closed) return;
    closed = true;
    transport.onclose?.();
  };

  const readMessages = (): void => {
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = buffer.readMessage();
      } catch (error) {
        // A line that is not JSON-RPC (a server logging to stdout) is skipped, not fatal.
        transport.onerror?.(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      if (message === null) return;
      transport.onmessage?.(message);
    }
  };

  const transport: ChildStdioTransport = {
    pid: child.process.pid,
    start() {
      child.stdout.on('data', (chunk: Buffer) => {
        try {
          buffer.append(chunk);
        } catch (error) {
          // One message larger than the SDK's buffer limit: the stream cannot be resynchronised.
          transport.onerror?.(error instanceof Error ? error : new Error(String(error)));
          void transport.close();
          return;
        }
        readMessages();
      });
      // The session ends when the child has exited and its last words have been read.
      const stdoutEnded = new Promise<void>((resolve) => child.stdout.once('close', resolve));
      void Promise.race([
        stdoutEnded,
        child.process.exited.then(() => settlesWithin(stdoutEnded, STDOUT_DRAIN_MS)),
      ]).then(finish);
      return Promise.resolve();
    },

    async send(message) {
      if (closed || stopping !== undefined || !child.stdin.writable) {
        throw new Error('the MCP server process has ended');
      }
      if (child.stdin.write(serializeMessage(message))) return;
      // Backpressure: wait for the pipe to drain, or for the child to go away.
      await new Promise<void>((resolve) => {
        const done = (): void => {
          child.stdin.off('drain', done);
          child.stdin.off('close', done);
          resolve();
        };
        child.stdin.once('drain', done);
        child.stdin.once('close', done);
      });
    },

    close() {
      stopping ??= (async () => {
        child.stdin.end();
        const exitedOnEof = await settlesWithin(child.process.exited, Math.min(graceMs, STDIN_EOF_GRACE_MS));
        // After a clean exit this still SIGKILLs what the server left behind in its group.
        await terminateChild(child.process, exitedOnEof ? 0 : graceMs);
        finish();
      })();
      return stopping;
    },
  };
  return transport;
}
