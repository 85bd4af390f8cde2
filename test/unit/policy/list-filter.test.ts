import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filterListBody, filterListMessage, listRequestsIn } from '../../../src/policy/index.ts';
import { policyOf, user } from './policy-fixtures.ts';

const bob = user({ groups: ['contractors'] });
const access = policyOf([
  {
    id: 'no-payments',
    deny: { tools: ['payments_*'], prompts: ['refund'] },
    unless: { groups: ['finance'] },
  },
  { id: 'no-secrets', deny: { resources: ['secret://*'] } },
]).forIdentity(bob);

/** A list answer, read loosely in assertions. */
interface Answer {
  result: { tools: { name: string }[]; prompts: unknown; resourceTemplates: unknown; resources: unknown };
}

const request = (id: number | string, method: string) => ({ jsonrpc: '2.0', id, method, params: {} });
const body = (value: unknown) => Buffer.from(JSON.stringify(value));
const toolsPage = (id: number | string) => ({
  jsonrpc: '2.0',
  id,
  result: {
    tools: [
      { name: 'payments_send', inputSchema: { type: 'object' } },
      { name: 'docs_search', description: 'Search', inputSchema: { type: 'object' } },
      { name: 'payments_refund', inputSchema: { type: 'object' } },
    ],
    nextCursor: 'page-2',
    _meta: { 'example.com/x': 1 },
  },
});

describe('finding the list requests of a body', () => {
  it('keeps the list requests of kinds the user is restricted on, in a batch too', () => {
    const found = listRequestsIn(
      [
        request(1, 'tools/list'),
        request('two', 'prompts/list'),
        request(3, 'resources/templates/list'),
        request(4, 'tools/call'),
        { jsonrpc: '2.0', method: 'tools/list' },
        request(5, 'resources/list'),
      ],
      access,
    );
    assert.deepEqual(
      [...(found ?? [])],
      [
        [1, 'tools/list'],
        ['two', 'prompts/list'],
        [3, 'resources/templates/list'],
        [5, 'resources/list'],
      ],
    );
  });

  it('finds none for a user the rules leave alone, or a kind they do not restrict', () => {
    const finance = policyOf([{ id: 'r', deny: { tools: ['x'] }, unless: { groups: ['finance'] } }]);
    assert.equal(
      listRequestsIn(request(1, 'tools/list'), finance.forIdentity(user({ groups: ['finance'] }))),
      undefined,
    );
    assert.equal(listRequestsIn(request(1, 'prompts/list'), finance.forIdentity(bob)), undefined);
    assert.equal(listRequestsIn('not a message', finance.forIdentity(bob)), undefined);
  });
});

describe('filtering a JSON list answer', () => {
  it('removes what the user may not use and keeps the cursor and every other field in place', () => {
    const filtered = filterListBody(body(toolsPage(1)), access, new Map([[1, 'tools/list']]));
    assert.equal(
      filtered.toString(),
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        result: {
          tools: [{ name: 'docs_search', description: 'Search', inputSchema: { type: 'object' } }],
          nextCursor: 'page-2',
          _meta: { 'example.com/x': 1 },
        },
      }),
    );
  });

  it('returns the very same bytes when nothing is removed', () => {
    const page = Buffer.from(
      `{ "jsonrpc": "2.0", "id": 1, "result": { "tools": [ { "name": "docs_search" } ] } }`,
    );
    assert.equal(filterListBody(page, access, new Map([[1, 'tools/list']])), page);
  });

  it('keeps an empty page, so the client pages on', () => {
    const page = { jsonrpc: '2.0', id: 1, result: { tools: [{ name: 'payments_send' }], nextCursor: 'c' } };
    assert.deepEqual(
      JSON.parse(filterListBody(body(page), access, new Map([[1, 'tools/list']])).toString()),
      {
        jsonrpc: '2.0',
        id: 1,
        result: { tools: [], nextCursor: 'c' },
      },
    );
  });

  it('filters only the responses to the awaited ids, and each by its own method', () => {
    const batch = [
      toolsPage(1),
      toolsPage(2),
      { jsonrpc: '2.0', id: 3, result: { prompts: [{ name: 'refund' }, { name: 'summary' }] } },
      {
        jsonrpc: '2.0',
        id: 4,
        result: { resourceTemplates: [{ uriTemplate: 'secret://{id}' }, { uriTemplate: 'docs://{path}' }] },
      },
      { jsonrpc: '2.0', id: 5, result: { resources: [{ uri: 'secret://a' }, { uri: 'docs://b' }] } },
      { jsonrpc: '2.0', id: 6, error: { code: -32603, message: 'boom' } },
    ];
    const requests = new Map<
      number,
      'tools/list' | 'prompts/list' | 'resources/templates/list' | 'resources/list'
    >([
      [1, 'tools/list'],
      [3, 'prompts/list'],
      [4, 'resources/templates/list'],
      [5, 'resources/list'],
      [6, 'tools/list'],
    ]);
    const result = filterListMessage(batch, access, requests);
    assert.equal(result.changed, true);
    assert.deepEqual(result.answered, [1, 3, 4, 5, 6]);
    const [first, second, prompts, templates, resources, error] = result.message as Answer[];
    assert.deepEqual(
      first!.result.tools.map((tool: { name: string }) => tool.name),
      ['docs_search'],
    );
    assert.equal(second, batch[1], 'id 2 was not a list request of this body');
    assert.deepEqual(prompts!.result.prompts, [{ name: 'summary' }]);
    assert.deepEqual(templates!.result.resourceTemplates, [{ uriTemplate: 'docs://{path}' }]);
    assert.deepEqual(resources!.result.resources, [{ uri: 'docs://b' }]);
    assert.equal(error, batch[5]);
  });

  it('drops items without a name on a restricted kind, and leaves requests and notifications alone', () => {
    const page = {
      jsonrpc: '2.0',
      id: 1,
      result: { tools: [{ name: 'ok' }, { title: 'nameless' }, 'junk'] },
    };
    const filtered = filterListMessage(page, access, new Map([[1, 'tools/list']]));
    assert.deepEqual((filtered.message as Answer).result.tools, [{ name: 'ok' }]);
    const notification = {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/list',
      result: { tools: [{ name: 'payments_x' }] },
    };
    assert.equal(filterListMessage(notification, access, new Map([[1, 'tools/list']])).changed, false);
  });

  it('passes a body that is not JSON through untouched', () => {
    const garbage = Buffer.from('{"jsonrpc":');
    assert.equal(filterListBody(garbage, access, new Map([[1, 'tools/list']])), garbage);
  });

  it('recognises any list answer by its shape when asked to (a resumed stream)', () => {
    const result = filterListMessage(toolsPage('seen-elsewhere'), access, 'any');
    assert.equal(result.changed, true);
    assert.deepEqual(result.answered, []);
    const call = { jsonrpc: '2.0', id: 9, result: { content: [{ type: 'text', text: 'payments_send' }] } };
    assert.equal(filterListMessage(call, access, 'any').changed, false);
  });
});
