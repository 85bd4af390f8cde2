import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createSseListFilter, type ListAnswers } from '../../../src/policy/index.ts';
import { policyOf, user } from './policy-fixtures.ts';

const access = policyOf([{ id: 'no-payments', deny: { tools: ['payments_*'] } }]).forIdentity(user());
const awaiting: ListAnswers = new Map([[1, 'tools/list']]);

const TOOLS = { tools: [{ name: 'payments_send' }, { name: 'echo' }], nextCursor: 'n' };
const FILTERED = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  result: { tools: [{ name: 'echo' }], nextCursor: 'n' },
});
const listEvent = (id = 1, eol = '\n') =>
  `id: ev-1${eol}event: message${eol}data: ${JSON.stringify({ jsonrpc: '2.0', id, result: TOOLS })}${eol}${eol}`;

/** Writes the chunks one by one and returns everything the filter let out. */
async function run(chunks: readonly (string | Buffer)[], answers: ListAnswers = awaiting): Promise<string> {
  const filter = createSseListFilter(access, answers);
  const out: Buffer[] = [];
  filter.on('data', (chunk: Buffer) => out.push(chunk));
  for (const chunk of chunks) filter.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  filter.end();
  await once(filter, 'end');
  return Buffer.concat(out).toString();
}

/** Every way of cutting the text in two, and one byte at a time. */
function cuts(text: string): string[][] {
  const bytes = Buffer.from(text);
  const splits: string[][] = [];
  for (let at = 1; at < bytes.length; at += 1) {
    splits.push([bytes.subarray(0, at).toString('latin1'), bytes.subarray(at).toString('latin1')]);
  }
  splits.push([...bytes].map((byte) => String.fromCharCode(byte)));
  return splits;
}

async function runLatin1(chunks: readonly string[], answers: ListAnswers = awaiting): Promise<string> {
  return run(
    chunks.map((chunk) => Buffer.from(chunk, 'latin1')),
    answers,
  );
}

describe('filtering list answers in an SSE stream', () => {
  it('rewrites the data of the awaited list answer and keeps its id and event lines', async () => {
    assert.equal(await run([listEvent()]), `id: ev-1\nevent: message\ndata: ${FILTERED}\n\n`);
  });

  it('gives the same output however the stream is cut into chunks', async () => {
    const stream = `: keep-alive\n\n${listEvent()}data: {"jsonrpc":"2.0","method":"notifications/message"}\n\n`;
    const expected = await run([stream]);
    assert.ok(expected.includes(FILTERED));
    for (const chunks of cuts(stream))
      assert.equal(await runLatin1(chunks), expected, JSON.stringify(chunks));
  });

  it('keeps CRLF and CR line ends, a CRLF cut between two chunks included', async () => {
    assert.equal(
      await run([listEvent(1, '\r\n')]),
      `id: ev-1\r\nevent: message\r\ndata: ${FILTERED}\r\n\r\n`,
    );
    assert.equal(await run([listEvent(1, '\r')]), `id: ev-1\revent: message\rdata: ${FILTERED}\r\r`);
    const crlf = listEvent(1, '\r\n');
    for (const chunks of cuts(crlf)) {
      assert.equal(await runLatin1(chunks), `id: ev-1\r\nevent: message\r\ndata: ${FILTERED}\r\n\r\n`);
    }
  });

  it('joins multi-line data, and writes the filtered message on one line', async () => {
    const event = `data: {"jsonrpc":"2.0",\ndata:"id":1,\ndata:  "result":${JSON.stringify(TOOLS)}}\nid: 7\n\n`;
    assert.equal(await run([event]), `data: ${FILTERED}\nid: 7\n\n`);
  });

  it('passes every other event through byte for byte, ids for Last-Event-ID included', async () => {
    const others =
      ': comment\n' +
      'id: 41\nevent: message\ndata: {"jsonrpc":"2.0","method":"notifications/progress","params":{}}\n\n' +
      'retry: 1000\n\n' +
      'data: not json\n\n' +
      'id: 42\ndata: {"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"payments_send"}]}}\n\n';
    assert.equal(
      await run([others, listEvent()]),
      others + `id: ev-1\nevent: message\ndata: ${FILTERED}\n\n`,
    );
  });

  it('stops parsing once every awaited answer has passed', async () => {
    const later = `data: ${JSON.stringify({ jsonrpc: '2.0', id: 1, result: TOOLS })}\n\n`;
    const output = await run([listEvent(), later]);
    assert.ok(output.endsWith(later), 'a second answer with the same id is not the awaited one');
    assert.equal(await run([later], new Map()), later, 'nothing awaited: nothing parsed');
  });

  it("lets comments and lines before an event's data out at once, and holds only the event being read", async () => {
    const filter = createSseListFilter(access, awaiting);
    const out: string[] = [];
    filter.on('data', (chunk: Buffer) => out.push(chunk.toString()));
    filter.write(Buffer.from(': ping\n\nid: 5\nevent: message\ndata: {"jsonrpc":"2.0",'));
    await nextTurn();
    assert.equal(out.join(''), ': ping\n\nid: 5\nevent: message\n');
    filter.write(Buffer.from(`"id":1,"result":${JSON.stringify(TOOLS)}}\n\n: after\n`));
    await nextTurn();
    assert.equal(out.join(''), `: ping\n\nid: 5\nevent: message\ndata: ${FILTERED}\n\n: after\n`);
    filter.end();
  });

  it('filters a batch answer carried in one event', async () => {
    const batch = [
      { jsonrpc: '2.0', id: 1, result: TOOLS },
      { jsonrpc: '2.0', id: 2, result: { content: [] } },
    ];
    const output = await run([`data: ${JSON.stringify(batch)}\n\n`]);
    assert.deepEqual(JSON.parse(output.slice('data: '.length)), [
      JSON.parse(FILTERED),
      { jsonrpc: '2.0', id: 2, result: { content: [] } },
    ]);
  });

  it('reads a stream that starts with a byte order mark, and data without a space after the colon', async () => {
    const event = `\uFEFFdata:${JSON.stringify({ jsonrpc: '2.0', id: 1, result: TOOLS })}\n\n`;
    assert.equal(await run([event]), `\uFEFFdata: ${FILTERED}\n\n`);
    for (const chunks of cuts(event).slice(0, 4)) {
      assert.equal(await runLatin1(chunks), `\uFEFFdata: ${FILTERED}\n\n`, 'a mark cut in pieces');
    }
  });

  it('still filters an answer whose stream ends before its blank line', async () => {
    const cut = `data: ${JSON.stringify({ jsonrpc: '2.0', id: 1, result: TOOLS })}`;
    assert.equal(await run([cut]), `data: ${FILTERED}`);
    assert.equal(await run([`${cut}\n`]), `data: ${FILTERED}\n`);
  });

  it('filters any list answer of a resumed stream when told to', async () => {
    const replayed = `id: 9\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: 'from-another-post', result: TOOLS })}\n\n`;
    const output = await run([replayed, replayed], 'any');
    assert.equal((output.match(/payments_send/g) ?? []).length, 0);
    assert.equal((output.match(/id: 9\n/g) ?? []).length, 2);
  });

  it('keeps multi-byte characters cut between chunks', async () => {
    const tools = { tools: [{ name: 'payments_send' }, { name: 'écho', description: '日本語' }] };
    const event = `data: ${JSON.stringify({ jsonrpc: '2.0', id: 1, result: tools })}\n\n`;
    const bytes = Buffer.from(event);
    const at = bytes.indexOf(Buffer.from('日')) + 1;
    const output = await run([bytes.subarray(0, at), bytes.subarray(at)]);
    assert.deepEqual(JSON.parse(output.slice('data: '.length)).result.tools, [
      { name: 'écho', description: '日本語' },
    ]);
  });
});
