import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  appendContentLength,
  createRequestHeaderRules,
  fillUpstreamIdentity,
  readRequestHead,
  replaceUpstreamToken,
} from '../../../src/proxy/upstream-request-headers.ts';

const rules = createRequestHeaderRules('127.0.0.1:3000', 'X-User-Id');
const identity = {
  upstreamToken: 'idp-1',
  scopes: ['openid', 'global'],
  clientId: 'client-1',
  accountId: 'account-1',
  requestId: 'req-1',
  userAgent: 'agent/1',
};

const pairs = (flat: string[]): [string, string][] =>
  Array.from({ length: flat.length / 2 }, (_, index) => [flat[index * 2]!, flat[index * 2 + 1]!]);

describe('readRequestHead', () => {
  it('captures the credential, request id and User-Agent, and forwards end-to-end headers as sent', () => {
    const head = readRequestHead(
      [
        'Host',
        'proxy.example',
        'Authorization',
        'Bearer ours',
        'X-Request-Id',
        'r-9',
        'User-Agent',
        'ua',
        'Mcp-Param-A',
        '1',
        'Mcp-Param-A',
        '2',
        'Accept',
        '*/*',
      ],
      rules,
    );
    assert.equal(head.authorization, 'Bearer ours');
    assert.equal(head.requestId, 'r-9');
    assert.equal(head.userAgent, 'ua');
    assert.equal(head.hasBody, false);
    assert.deepEqual(pairs(head.headers).slice(7), [
      ['Mcp-Param-A', '1'],
      ['Mcp-Param-A', '2'],
      ['Accept', '*/*'],
    ]);
  });

  it('drops hop-by-hop headers, those named in Connection, cookies and forged identity headers', () => {
    const head = readRequestHead(
      [
        'Connection',
        'keep-alive, X-Secret-Hop',
        'connection',
        'X-Other-Hop',
        'X-Secret-Hop',
        '1',
        'x-other-hop',
        '2',
        'Keep-Alive',
        'timeout=5',
        'TE',
        'trailers',
        'Upgrade',
        'h2c',
        'Proxy-Connection',
        'keep-alive',
        'Cookie',
        'a=b',
        'X-Authorization-Scope',
        'admin',
        'X-Dynamic-Client-Id',
        'forged',
        'x-user-id',
        'root',
        'Expect',
        '100-continue',
        'Transfer-Encoding',
        'chunked',
        'X-Kept',
        'yes',
      ],
      rules,
    );
    assert.deepEqual(pairs(head.headers).slice(7), [['X-Kept', 'yes']]);
    assert.equal(head.hasBody, true);
  });

  it('reads the declared length and fills the identity slots', () => {
    const head = readRequestHead(['Content-Length', '42', 'Content-Type', 'application/json'], rules);
    assert.equal(head.declaredLength, 42);
    fillUpstreamIdentity(head, rules, identity);
    appendContentLength(head, 40);
    assert.deepEqual(pairs(head.headers), [
      ['host', '127.0.0.1:3000'],
      ['authorization', 'Bearer idp-1'],
      ['x-authorization-scope', 'openid global'],
      ['x-dynamic-client-id', 'client-1'],
      ['x-request-id', 'req-1'],
      ['x-user-id', 'account-1'],
      ['user-agent', 'agent/1'],
      ['Content-Type', 'application/json'],
      ['content-length', '40'],
    ]);
    replaceUpstreamToken(head, 'idp-2');
    assert.equal(head.headers[3], 'Bearer idp-2');
  });

  it('sends no Content-Length when the client framed no body', () => {
    const head = readRequestHead(['Accept', 'text/event-stream'], rules);
    fillUpstreamIdentity(head, rules, identity);
    appendContentLength(head, 0);
    assert.ok(!head.headers.includes('content-length'));
  });
});
