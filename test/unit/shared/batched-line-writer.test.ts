import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { createBatchedLineWriter, type LineSink } from '../../../src/shared/batched-line-writer.ts';

/** A sink that records what it was handed, batch by batch. */
function recordingSink(): LineSink & { batches: string[]; flushed: number } {
  const sink = {
    batches: [] as string[],
    flushed: 0,
    write(chunk: string) {
      sink.batches.push(chunk);
      return true;
    },
    flush(callback: (error?: Error) => void) {
      sink.flushed += 1;
      callback();
    },
    flushSync() {
      sink.flushed += 1;
    },
  };
  return sink;
}

describe('createBatchedLineWriter', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval'] }));
  afterEach(() => mock.timers.reset());

  it('hands lines over in one batch, in order, once the batch is full', () => {
    const sink = recordingSink();
    const writer = createBatchedLineWriter({ sink, batchChars: 10, flushIntervalMs: 100 });
    writer.write('abc\n');
    writer.write('def\n');
    assert.deepEqual(sink.batches, []);
    writer.write('ghi\n');
    assert.deepEqual(sink.batches, ['abc\ndef\nghi\n']);
    writer.write('jkl\n');
    assert.deepEqual(sink.batches, ['abc\ndef\nghi\n']);
    writer.close();
    assert.deepEqual(sink.batches, ['abc\ndef\nghi\n', 'jkl\n']);
  });

  it('writes a waiting line after the flush interval, and nothing when nothing waits', () => {
    const sink = recordingSink();
    const writer = createBatchedLineWriter({ sink, batchChars: 8192, flushIntervalMs: 100 });
    writer.write('{"event":"a"}\n');
    mock.timers.tick(99);
    assert.deepEqual(sink.batches, []);
    mock.timers.tick(1);
    assert.deepEqual(sink.batches, ['{"event":"a"}\n']);
    mock.timers.tick(500);
    assert.equal(sink.batches.length, 1);
    writer.close();
  });

  it('writes what waits before flushing the sink, synchronously or not', () => {
    const sink = recordingSink();
    const writer = createBatchedLineWriter({ sink, batchChars: 8192, flushIntervalMs: 100 });
    writer.write('one\n');
    writer.flushSync();
    assert.deepEqual(sink.batches, ['one\n']);
    writer.write('two\n');
    let called = false;
    writer.flush(() => (called = true));
    assert.deepEqual(sink.batches, ['one\n', 'two\n']);
    assert.equal(called, true);
    assert.equal(sink.flushed, 2);
    writer.close();
  });
});
