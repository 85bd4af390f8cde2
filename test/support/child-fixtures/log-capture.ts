import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../../src/shared/logger.ts';

export interface LogRecord {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface LogCapture {
  readonly logger: Logger;
  records(): readonly LogRecord[];
  /** Resolves with the first record (already written or still to come) that matches. */
  waitFor(predicate: (record: LogRecord) => boolean): Promise<LogRecord>;
}

/** A real pino logger writing into memory, so tests read exactly what operators would. */
export function captureLogs(): LogCapture {
  const records: LogRecord[] = [];
  const events = new EventEmitter();
  let partial = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      partial += chunk.toString('utf8');
      let newline = partial.indexOf('\n');
      while (newline !== -1) {
        const record = JSON.parse(partial.slice(0, newline)) as LogRecord;
        partial = partial.slice(newline + 1);
        records.push(record);
        events.emit('record', record);
        newline = partial.indexOf('\n');
      }
      callback();
    },
  });
  const logger = createLogger({ level: 'debug', appName: 'test', environment: 'test', destination });
  return {
    logger,
    records: () => [...records],
    waitFor: async (predicate) =>
      await new Promise((resolve) => {
        const found = records.find(predicate);
        if (found) return resolve(found);
        const listener = (record: LogRecord): void => {
          if (!predicate(record)) return;
          events.off('record', listener);
          resolve(record);
        };
        events.on('record', listener);
      }),
  };
}

export const hasMsg =
  (msg: string) =>
  (record: LogRecord): boolean =>
    record.msg === msg;

/** The pid that the spawn-grandchild fixture's grandchild announced, once it ignores SIGTERM. */
export async function grandchildPid(logs: LogCapture): Promise<number> {
  const announced = await logs.waitFor((record) => record.msg.startsWith('grandchild-ready pid='));
  return Number(announced.msg.slice('grandchild-ready pid='.length));
}
