import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Logger } from '../shared/logger.ts';

/** One line longer than this is cut, so that a runaway child cannot blow up a log record. */
const MAX_LINE_CHARS = 16_384;

export type OutputStream = 'stdout' | 'stderr';

/** The last few lines of a stream, kept for the start error message. */
export interface LineTail {
  push(line: string): void;
  lines(): readonly string[];
}

export function createLineTail(maxLines: number): LineTail {
  const kept: string[] = [];
  return {
    push(line) {
      kept.push(line);
      if (kept.length > maxLines) kept.shift();
    },
    lines: () => [...kept],
  };
}

/**
 * Relays the child's output into our structured log, one record per line,
 * tagged so that an operator can filter the MCP server's own lines
 * (`source: 'mcp-server'`). The child's lines are logged as they are: we
 * cannot know their secrets, so the server must not print any.
 */
export function pipeChildOutput(
  input: Readable,
  stream: OutputStream,
  options: { readonly logger: Logger; readonly pid: number; readonly tail?: LineTail },
): void {
  const lines = createInterface({ input, crlfDelay: Infinity });
  lines.on('line', (rawLine) => {
    const line =
      rawLine.length > MAX_LINE_CHARS ? `${rawLine.slice(0, MAX_LINE_CHARS)}…[truncated]` : rawLine;
    options.tail?.push(line);
    options.logger.info(
      { event: 'supervisor.child_output', source: 'mcp-server', stream, pid: options.pid },
      line,
    );
  });
  // A read error after the child is gone must not crash the proxy; the exit handler reports the exit.
  input.on('error', () => undefined);
}
