import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Logger } from '../shared/logger.ts';
import type { AuditRecord, AuditSink } from './audit-record.ts';

/** Owner read and write only: the trail names users and their addresses. */
const AUDIT_FILE_MODE = 0o600;
/**
 * Records waiting for a slow or failing disk take at most this much memory;
 * beyond it they are dropped (and counted) rather than block the proxy.
 */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;

const nothingFirst = (): Promise<void> => Promise.resolve();

export interface FileAuditSinkOptions {
  readonly path: string;
  /** `app` and `environment`, as on every log line. */
  readonly app: string;
  readonly environment: string;
  /** Where the sink says it cannot write (one warning per outage) and that it can again. */
  readonly logger: Logger;
}

/**
 * Appends one JSON object per line. Writes go through the thread pool
 * (fs/promises), one batch at a time, so the event loop never waits for the
 * disk. Before each batch the path is checked against the open file: when
 * logrotate (or anyone) moved or deleted it, the file is opened anew, so no
 * SIGHUP or copytruncate is needed. A failed write drops its batch, logs one
 * warning until a write succeeds again, and the next batch reopens the file.
 */
export class FileAuditSink implements AuditSink {
  readonly #options: FileAuditSinkOptions;
  #pending: string[] = [];
  #pendingBytes = 0;
  #flushing: Promise<void> | undefined;
  #file: { handle: FileHandle; dev: number; ino: number } | undefined;
  /** Records lost since the last successful write; set while the sink is failing. */
  #dropped: number | undefined;

  constructor(options: FileAuditSinkOptions) {
    this.#options = options;
  }

  write(record: AuditRecord): void {
    const { time, ...rest } = record;
    const line = `${JSON.stringify({ time, app: this.#options.app, environment: this.#options.environment, ...rest })}\n`;
    const bytes = Buffer.byteLength(line);
    if (this.#pendingBytes + bytes > MAX_PENDING_BYTES) {
      this.#failed(new Error(`more than ${MAX_PENDING_BYTES} bytes of audit records wait for the disk`), 1);
      return;
    }
    this.#pending.push(line);
    this.#pendingBytes += bytes;
    void this.#run(nothingFirst);
  }

  /** Opens (or creates) the file now, so that a destination that cannot be written is reported at start. */
  open(): Promise<void> {
    return this.#run(async () => {
      try {
        await this.#current();
      } catch (error) {
        await this.#closeCurrent();
        this.#failed(error, 0);
      }
    });
  }

  /** Resolves once every record written so far is in the file (or dropped, with its warning). */
  async flush(): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing;
  }

  async close(): Promise<void> {
    await this.flush();
    const file = this.#file;
    this.#file = undefined;
    await file?.handle.close().catch(() => undefined);
  }

  /** One task at a time touches the file: `first`, then every pending batch. */
  #run(first: () => Promise<void>): Promise<void> {
    this.#flushing ??= (async () => {
      await first();
      await this.#flush();
    })().finally(() => {
      this.#flushing = undefined;
      // A record written after the last batch was taken, before this task ended.
      if (this.#pending.length > 0) void this.#run(nothingFirst);
    });
    return this.#flushing;
  }

  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      const lines = this.#pending;
      this.#pending = [];
      this.#pendingBytes = 0;
      try {
        const handle = await this.#current();
        await handle.writeFile(lines.join(''));
        this.#recovered();
      } catch (error) {
        await this.#closeCurrent();
        this.#failed(error, lines.length);
      }
    }
  }

  /** The open file, reopened when the path no longer names it (rotated or deleted). */
  async #current(): Promise<FileHandle> {
    if (this.#file !== undefined) {
      const now = await stat(this.#options.path).catch(() => undefined);
      if (now !== undefined && now.dev === this.#file.dev && now.ino === this.#file.ino)
        return this.#file.handle;
      await this.#closeCurrent();
    }
    const handle = await open(this.#options.path, 'a', AUDIT_FILE_MODE);
    try {
      const { dev, ino } = await handle.stat();
      this.#file = { handle, dev, ino };
      return handle;
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  async #closeCurrent(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    await file?.handle.close().catch(() => undefined);
  }

  #failed(error: unknown, droppedRecords: number): void {
    if (this.#dropped === undefined) {
      this.#options.logger.warn(
        { event: 'audit.write_failed', path: this.#options.path, err: error },
        'audit.write_failed',
      );
      this.#dropped = 0;
    }
    this.#dropped += droppedRecords;
  }

  #recovered(): void {
    if (this.#dropped === undefined) return;
    this.#options.logger.info(
      { event: 'audit.write_recovered', path: this.#options.path, droppedRecords: this.#dropped },
      'audit.write_recovered',
    );
    this.#dropped = undefined;
  }
}
