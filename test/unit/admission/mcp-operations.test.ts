import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readMcpOperations } from '../../../src/admission/mcp-operations.ts';

const body = (value: unknown) => Buffer.from(JSON.stringify(value));
const call = (name: unknown, id = 1) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name } });

describe('reading the operations of an MCP request body', () => {
  it('reads a method, and the name of tools, prompts and resources (by URI)', () => {
    assert.deepEqual(readMcpOperations(body(call('echo')), {}), {
      kind: 'read',
      operations: [{ method: 'tools/call', name: 'echo' }],
    });
    const read = readMcpOperations(
      body([
        { jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'file:///a' } },
        { jsonrpc: '2.0', id: 2, method: 'prompts/get', params: { name: 'greet' } },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', id: 7, result: {} },
        'not a message',
      ]),
      {},
    );
    assert.deepEqual(read, {
      kind: 'read',
      operations: [
        { method: 'resources/read', name: 'file:///a' },
        { method: 'prompts/get', name: 'greet' },
        { method: 'notifications/initialized' },
      ],
    });
  });

  it('leaves the name out when it is not a string', () => {
    assert.deepEqual(readMcpOperations(body(call(42)), {}), {
      kind: 'read',
      operations: [{ method: 'tools/call', name: undefined }],
    });
  });

  it('refuses a body that is not JSON', () => {
    assert.equal(readMcpOperations(Buffer.from('{"method":'), {}).kind, 'refused');
  });

  it('accepts 2026-07-28 mirror headers that agree with the body, base64-encoded ones too', () => {
    const encoded = `=?base64?${Buffer.from('héllo wörld').toString('base64')}?=`;
    assert.equal(
      readMcpOperations(body(call('héllo wörld')), { 'mcp-method': 'tools/call', 'mcp-name': encoded }).kind,
      'read',
    );
    assert.equal(readMcpOperations(body(call('echo')), { 'mcp-method': 'tools/call' }).kind, 'read');
  });

  it('refuses mirror headers that disagree with the body, are repeated, or describe a batch', () => {
    const refused = (value: unknown, headers: Record<string, string | string[]>) =>
      readMcpOperations(body(value), headers).kind;
    assert.equal(refused(call('delete'), { 'mcp-method': 'tools/call', 'mcp-name': 'echo' }), 'refused');
    assert.equal(refused(call('echo'), { 'mcp-method': 'tools/list' }), 'refused');
    assert.equal(refused(call('echo'), { 'mcp-name': ['echo', 'echo'] }), 'refused');
    assert.equal(refused([call('echo'), call('echo', 2)], { 'mcp-method': 'tools/call' }), 'refused');
    assert.equal(refused({ jsonrpc: '2.0', id: 1, result: {} }, { 'mcp-method': 'tools/call' }), 'refused');
  });
});
