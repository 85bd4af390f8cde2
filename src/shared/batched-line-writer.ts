/** The part of a file-descriptor writer (sonic-boom, `pino.destination`) a batch is handed to. */
export interface LineSink {
  write(chunk: string): boolean;
  flush(callback: (error?: Error) => void): void;
  flushSync(): void;
}

export interface BatchedLineWriterOptions {
  /** Receives each batch as one string: one system call per batch. */
  readonly sink: LineSink;
  /** A batch is handed over once it holds at least this many UTF-16 code units (at least as many bytes). */
  readonly batchChars: number;
  /** The longest a line waits in a batch. */
  readonly flushIntervalMs: number;
}

export interface BatchedLineWriter extends LineSink {
  /** Stops the periodic flush (the pending lines are written first). */
  close(): void;
}

/**
 * Collects log lines and hands them to the sink in batches. sonic-boom's own
 * batching (`minLength`) appends each line to one growing string and measures
 * that string's UTF-8 length on every write, which flattens it: a copy of up to
 * a whole batch per line, the costliest step of a log line in the proxy's
 * profile. Here a line costs an array push; the join happens once per batch.
 */
export function createBatchedLineWriter(options: BatchedLineWriterOptions): BatchedLineWriter {
  const { sink, batchChars } = options;
  let lines: string[] = [];
  let pendingChars = 0;

  const handOver = (): void => {
    if (lines.length === 0) return;
    const batch = lines.length === 1 ? lines[0]! : lines.join('');
    lines = [];
    pendingChars = 0;
    sink.write(batch);
  };

  const timer = setInterval(handOver, options.flushIntervalMs);
  timer.unref();

  return {
    write(line) {
      lines.push(line);
      pendingChars += line.length;
      if (pendingChars >= batchChars) handOver();
      return true;
    },
    flush(callback) {
      handOver();
      sink.flush(callback);
    },
    flushSync() {
      handOver();
      sink.flushSync();
    },
    close() {
      clearInterval(timer);
      handOver();
    },
  };
}
