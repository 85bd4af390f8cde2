import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../shared/logger.ts';
import {
  createLineTail,
  pipeChildOutput,
  signalProcessGroup,
  spawned,
  type ProcessExit,
  type SupervisedChild,
} from '../supervisor/index.ts';

const STDERR_TAIL_LINES = 20;

/** A running stdio MCP server: its process (for terminateChild) and the pipes that carry the protocol. */
export interface StdioChild {
  readonly process: SupervisedChild;
  readonly stdin: Writable;
  readonly stdout: Readable;
}

export interface SpawnStdioChildOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly logger: Logger;
}

/**
 * Starts one MCP server without a shell, as the leader of its own process
 * group (`detached`), like the supervisor does: one signal to `-pid` then
 * reaches whatever the server started (`npx` → `node`, `uvx` → `python`).
 * stdin/stdout carry MCP's stdio transport (newline-delimited JSON-RPC);
 * stderr is the server's log, relayed line by line into ours (MCP stdio
 * transport: "The server MAY write UTF-8 strings to its standard error").
 * Resolves once the process exists; rejects when it could not be spawned.
 */
export async function spawnStdioChild(options: SpawnStdioChildOptions): Promise<StdioChild> {
  const child = spawn(options.command, [...options.args], {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: { ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = await spawned(child);

  const tail = createLineTail(STDERR_TAIL_LINES);
  pipeChildOutput(child.stderr, 'stderr', { logger: options.logger, pid, tail });
  // A write to a child that has just died fails with EPIPE; the exit is what ends the session.
  child.stdin.on('error', () => undefined);
  child.stdout.on('error', () => undefined);

  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const outputClosed = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
  });

  return {
    stdin: child.stdin,
    stdout: child.stdout,
    process: {
      pid,
      exited,
      outputClosed,
      signalGroup: (signal) => signalProcessGroup(pid, signal, options.logger),
      dropOutput() {
        child.stdout.destroy();
        child.stderr.destroy();
      },
      stderrTail: () => tail.lines(),
    },
  };
}
