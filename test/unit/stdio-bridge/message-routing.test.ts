import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { createMessageRouting } from '../../../src/stdio-bridge/message-routing.ts';

const request = (id: number, method: string, progressToken?: string | number): JSONRPCMessage => ({
  jsonrpc: '2.0',
  id,
  method,
  params: progressToken === undefined ? {} : { _meta: { progressToken } },
});
const result = (id: number): JSONRPCMessage => ({ jsonrpc: '2.0', id, result: {} });
const progress = (progressToken: string | number): JSONRPCMessage => ({
  jsonrpc: '2.0',
  method: 'notifications/progress',
  params: { progressToken, progress: 1 },
});
const log: JSONRPCMessage = {
  jsonrpc: '2.0',
  method: 'notifications/message',
  params: { level: 'info', data: 'x' },
};
const sampling: JSONRPCMessage = { jsonrpc: '2.0', id: 0, method: 'sampling/createMessage', params: {} };

describe('message routing between the child and the HTTP streams', () => {
  it('relates a progress notification to the request that named its token, whichever is newest', () => {
    const routing = createMessageRouting();
    routing.fromClient(request(1, 'tools/call', 'tok-1'));
    routing.fromClient(request(2, 'tools/call', 'tok-2'));
    assert.equal(routing.relatedRequestFor(progress('tok-1')), 1);
    assert.equal(routing.relatedRequestFor(progress('tok-2')), 2);
  });

  it('relates other notifications and server requests to the newest request still open', () => {
    const routing = createMessageRouting();
    routing.fromClient(request(1, 'tools/call'));
    routing.fromClient(request(2, 'tools/call'));
    assert.equal(routing.relatedRequestFor(log), 2);
    assert.equal(routing.relatedRequestFor(result(2)), undefined);
    assert.equal(routing.relatedRequestFor(sampling), 1);
  });

  it('sends messages to the GET stream when no request is open', () => {
    const routing = createMessageRouting();
    assert.equal(routing.relatedRequestFor(log), undefined);
    routing.fromClient(request(1, 'tools/call', 'tok'));
    routing.relatedRequestFor(result(1));
    assert.equal(routing.relatedRequestFor(progress('tok')), undefined);
    assert.equal(routing.relatedRequestFor(sampling), undefined);
  });

  it('forgets a request the client cancelled, and ignores the client answering a server request', () => {
    const routing = createMessageRouting();
    routing.fromClient(request(1, 'tools/call'));
    routing.fromClient(result(0));
    routing.fromClient({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } });
    assert.deepEqual(routing.unanswered(), []);
  });

  it('lists the requests the child has not answered, oldest first', () => {
    const routing = createMessageRouting();
    for (const id of [1, 2, 3]) routing.fromClient(request(id, 'tools/call'));
    routing.relatedRequestFor({ jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'no' } });
    assert.deepEqual(routing.unanswered(), [1, 3]);
  });
});
