import { Transform, type TransformCallback } from 'node:stream';
import type { UserAccess } from './compile-access-policy.ts';
import { filterListMessage, type ListAnswers } from './filter-list-message.ts';
import type { JsonRpcId, ListMethod } from './mcp-items.ts';

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const DATA = Buffer.from('data');
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const LF_BYTE = Buffer.from([LF]);

interface Line {
  /** The line without its terminator (and without a leading BOM on the stream's first line). */
  readonly body: Buffer;
  /** Everything as it arrived, terminator included. */
  readonly bytes: Buffer;
}

/**
 * Filters the list answers in a `text/event-stream` body (WHATWG HTML,
 * "Server-sent events": lines end in CRLF, LF or CR; `data` lines join with
 * LF; a blank line ends an event; `:` starts a comment).
 *
 * Only an event that carries `data` is held, from its first `data` line to
 * its blank line, and only while an awaited list answer has not passed:
 * comments, `id`, `event` and `retry` lines before it, and every byte after
 * the last awaited answer, go out as they arrive. An event whose message
 * needs no change goes out byte for byte; a changed one gets one `data` line
 * with the filtered JSON, and keeps its other lines (its `id`, which a client
 * resumes from with Last-Event-ID, included).
 */
export function createSseListFilter(access: UserAccess, answers: ListAnswers): Transform {
  const awaiting: Map<JsonRpcId, ListMethod> | 'any' = answers === 'any' ? 'any' : new Map(answers);
  let passthrough = awaiting !== 'any' && awaiting.size === 0;
  let partial: Buffer[] = [];
  let held: Line[] = [];
  let endedWithCR = false;
  let firstLine = true;

  const dispatch = (out: Buffer[]): void => {
    const lines = held;
    held = [];
    const dataLines = lines.filter((line) => isDataLine(line.body));
    let message: unknown;
    try {
      message = JSON.parse(dataLines.map((line) => dataValue(line.body)).join('\n'));
    } catch {
      for (const line of lines) out.push(line.bytes);
      return;
    }
    const filtered = filterListMessage(message, access, awaiting);
    if (awaiting !== 'any') for (const id of filtered.answered) awaiting.delete(id);
    if (!filtered.changed) {
      for (const line of lines) out.push(line.bytes);
      return;
    }
    const first = dataLines[0]!;
    out.push(
      Buffer.from(`data: ${JSON.stringify(filtered.message)}`),
      first.bytes.subarray(first.body.length),
    );
    for (const line of lines) if (!isDataLine(line.body)) out.push(line.bytes);
  };

  const onLine = (line: Line, out: Buffer[]): void => {
    if (line.body.length === 0) {
      if (held.length > 0) dispatch(out);
      out.push(line.bytes);
      if (awaiting !== 'any' && awaiting.size === 0) passthrough = true;
    } else if (held.length > 0 || isDataLine(line.body)) {
      held.push(line);
    } else {
      out.push(line.bytes);
    }
  };

  /** The line, and whether it started the stream with a byte order mark (then the caller sends that first, apart). */
  const lineOf = (pieces: Buffer[], end: Buffer, terminator: Buffer): { line: Line; bom: boolean } => {
    let body = pieces.length === 0 ? end : Buffer.concat([...pieces, end]);
    const bom = firstLine && body.subarray(0, 3).equals(BOM);
    firstLine = false;
    if (bom) body = body.subarray(3);
    return { line: { body, bytes: terminator.length === 0 ? body : Buffer.concat([body, terminator]) }, bom };
  };

  const take = (pieces: Buffer[], end: Buffer, terminator: Buffer, out: Buffer[]): void => {
    const { line, bom } = lineOf(pieces, end, terminator);
    if (bom) out.push(BOM);
    onLine(line, out);
  };

  const split = (chunk: Buffer, out: Buffer[]): void => {
    let start = 0;
    if (endedWithCR) {
      endedWithCR = false;
      // The LF of a CRLF that the previous chunk cut in two: it ends no second line.
      if (chunk[0] === LF) {
        const last = held.at(-1);
        if (last === undefined) out.push(LF_BYTE);
        else held[held.length - 1] = { body: last.body, bytes: Buffer.concat([last.bytes, LF_BYTE]) };
        start = 1;
      }
    }
    const ends = lineEnds(chunk);
    while (start < chunk.length) {
      if (passthrough) {
        out.push(chunk.subarray(start));
        return;
      }
      const end = ends.next(start);
      if (end === -1) {
        partial.push(chunk.subarray(start));
        return;
      }
      let after = end + 1;
      if (chunk[end] === CR) {
        if (after === chunk.length) endedWithCR = true;
        else if (chunk[after] === LF) after += 1;
      }
      take(partial, chunk.subarray(start, end), chunk.subarray(end, after), out);
      partial = [];
      start = after;
    }
  };

  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      if (passthrough && !endedWithCR) {
        callback(null, chunk);
        return;
      }
      const out: Buffer[] = [];
      split(chunk, out);
      callback(null, out.length === 0 ? undefined : Buffer.concat(out));
    },
    flush(callback: TransformCallback) {
      // A stream cut mid-event: a client discards that event (the spec), but it still leaves filtered.
      const out: Buffer[] = [];
      if (partial.length > 0) take(partial, Buffer.alloc(0), Buffer.alloc(0), out);
      partial = [];
      if (held.length > 0) dispatch(out);
      callback(null, out.length === 0 ? undefined : Buffer.concat(out));
    },
  });
}

/** Finds each line end (CR or LF) once: both searches are remembered, so a chunk is scanned twice at most. */
function lineEnds(chunk: Buffer): { next(from: number): number } {
  let lf = -2;
  let cr = -2;
  return {
    next(from) {
      if (lf !== -1 && lf < from) lf = chunk.indexOf(LF, from);
      if (cr !== -1 && cr < from) cr = chunk.indexOf(CR, from);
      if (lf === -1) return cr;
      return cr === -1 || lf < cr ? lf : cr;
    },
  };
}

/** `data`, `data:` or `data: value` (the field name is case-sensitive). */
function isDataLine(body: Buffer): boolean {
  return (body.length === 4 || body[4] === COLON) && body.subarray(0, 4).equals(DATA);
}

function dataValue(body: Buffer): string {
  if (body.length <= 5) return '';
  return body.toString('utf8', body[5] === SPACE ? 6 : 5);
}
