import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildClientResponseHeaders } from '../../../src/proxy/client-response-headers.ts';

describe('buildClientResponseHeaders', () => {
  it('keeps end-to-end headers in order, duplicates included', () => {
    const { headers, isEventStream } = buildClientResponseHeaders([
      'Content-Type',
      'application/json',
      'Mcp-Session-Id',
      's-1',
      'Link',
      '<a>',
      'Link',
      '<b>',
      'Content-Length',
      '2',
    ]);
    assert.equal(isEventStream, false);
    assert.deepEqual(headers, [
      'Content-Type',
      'application/json',
      'Mcp-Session-Id',
      's-1',
      'Link',
      '<a>',
      'Link',
      '<b>',
      'Content-Length',
      '2',
    ]);
  });

  it('drops hop-by-hop headers, those named in Connection, and Set-Cookie', () => {
    const { headers } = buildClientResponseHeaders([
      'Connection',
      'keep-alive, X-Hop',
      'Keep-Alive',
      'timeout=5',
      'Transfer-Encoding',
      'chunked',
      'Trailer',
      'X-Sum',
      'X-Hop',
      '1',
      'Set-Cookie',
      'a=b',
      'Location',
      '/next',
    ]);
    assert.deepEqual(headers, ['Location', '/next']);
  });

  it('marks event streams and adds X-Accel-Buffering: no once', () => {
    const sse = buildClientResponseHeaders(['Content-Type', 'Text/Event-Stream; charset=utf-8']);
    assert.equal(sse.isEventStream, true);
    assert.deepEqual(sse.headers.slice(-2), ['x-accel-buffering', 'no']);
    const already = buildClientResponseHeaders([
      'content-type',
      'text/event-stream',
      'X-Accel-Buffering',
      'no',
    ]);
    assert.equal(already.headers.filter((value) => value.toLowerCase() === 'x-accel-buffering').length, 1);
  });
});
