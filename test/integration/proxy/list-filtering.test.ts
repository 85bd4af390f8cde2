/**
 * How the HTTP proxy treats answers when access rules are set: a list request's answer must come
 * back readable (the client's Accept-Encoding is not passed on, and a compressed answer is refused
 * rather than relayed unfiltered); every other request and answer passes as before.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compileAccessPolicy, parseAccessRules } from '../../../src/policy/index.ts';
import {
  bearer,
  CLIENT_TOKEN,
  MCP_POST_HEADERS,
  startProxyHarness,
  type ProxyHarness,
} from './proxy-harness.ts';

const rules = parseAccessRules([{ id: 'no-big', deny: { tools: ['big'] } }]);
const policy = compileAccessPolicy(rules.value);

const post = (url: string, message: Record<string, unknown>, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { ...MCP_POST_HEADERS, ...bearer(CLIENT_TOKEN), ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', ...message }),
  });

describe('answers under access rules', () => {
  let harness: ProxyHarness;

  before(async () => {
    harness = await startProxyHarness({
      proxy: {
        accessRules: { policy: () => policy, identities: { identityOf: () => Promise.resolve(undefined) } },
      },
    });
  });
  after(async () => {
    await harness.close();
  });

  it('does not pass the Accept-Encoding of a list request on, and keeps that of any other', async () => {
    const echo = `${harness.url}/__fixture/echo`;
    const list = await post(echo, { id: 1, method: 'tools/list' }, { 'accept-encoding': 'gzip, br' });
    const listSeen = (await list.json()) as { headers: Record<string, string> };
    assert.equal(listSeen.headers['accept-encoding'], undefined);
    const call = await post(
      echo,
      { id: 2, method: 'tools/call', params: { name: 'echo' } },
      { 'accept-encoding': 'gzip' },
    );
    const callSeen = (await call.json()) as { headers: Record<string, string> };
    assert.equal(callSeen.headers['accept-encoding'], 'gzip');
  });

  it('refuses a compressed list answer with 502 instead of relaying it unfiltered', async () => {
    const target = new URL(`${harness.url}/__fixture/respond`);
    target.searchParams.append('header', 'content-type:application/json');
    target.searchParams.append('header', 'content-encoding:gzip');
    target.searchParams.set('body', '{"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"big"}]}}');
    const response = await post(target.href, { id: 1, method: 'tools/list' });
    assert.equal(response.status, 502);
    assert.equal(((await response.json()) as { error: string }).error, 'bad_gateway');
    assert.ok(harness.logLines.some((line) => line['event'] === 'proxy.list_answer_unfilterable'));
  });

  it('filters a JSON list answer and relays an error answer to a list request untouched', async () => {
    const answer = (status: number, body: string) => {
      const target = new URL(`${harness.url}/__fixture/respond`);
      target.searchParams.set('status', String(status));
      target.searchParams.append('header', 'content-type:application/json');
      target.searchParams.set('body', body);
      return post(target.href, { id: 1, method: 'tools/list' });
    };
    const listed = await answer(
      200,
      '{"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"big"},{"name":"echo"}],"nextCursor":"2"}}',
    );
    assert.deepEqual(await listed.json(), {
      jsonrpc: '2.0',
      id: 1,
      result: { tools: [{ name: 'echo' }], nextCursor: '2' },
    });
    const refused = await answer(400, '{"tools":[{"name":"big"}]}');
    assert.equal(refused.status, 400);
    assert.equal(await refused.text(), '{"tools":[{"name":"big"}]}');
  });

  it('filters every list answer a resumed stream (GET with Last-Event-ID) replays, and none of a fresh one', async () => {
    const target = new URL(`${harness.url}/__fixture/respond`);
    target.searchParams.append('header', 'content-type:text/event-stream');
    target.searchParams.set(
      'body',
      'id: 4\ndata: {"jsonrpc":"2.0","id":9,"result":{"tools":[{"name":"big"}]}}\n\n',
    );
    const get = (headers: Record<string, string>) =>
      fetch(target, { headers: { accept: 'text/event-stream', ...bearer(CLIENT_TOKEN), ...headers } });
    const resumed = await (await get({ 'last-event-id': '3' })).text();
    assert.equal(resumed, 'id: 4\ndata: {"jsonrpc":"2.0","id":9,"result":{"tools":[]}}\n\n');
    const fresh = await (await get({})).text();
    assert.match(fresh, /"name":"big"/);
  });

  it('answers a call to a refused tool itself, without forwarding it', async () => {
    const seen = harness.fixture.seenUrls.length;
    const response = await post(harness.url, {
      id: 5,
      method: 'tools/call',
      params: { name: 'big', arguments: {} },
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { id: number; error: { code: number; data: unknown } };
    assert.equal(body.error.code, -32003);
    assert.deepEqual(body.error.data, { rule: 'no-big', reason: 'denied' });
    assert.equal(harness.fixture.seenUrls.length, seen);
  });
});
