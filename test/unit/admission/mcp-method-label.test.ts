import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mcpMethodLabel } from '../../../src/admission/mcp-method-label.ts';

const body = (text: string) => Buffer.from(text);

describe('mcpMethodLabel', () => {
  it('names a known method from the body without parsing it, and the Mcp-Method header first', () => {
    assert.equal(
      mcpMethodLabel('POST', {}, body('{"jsonrpc":"2.0","id":1,"method":"tools/call"}')),
      'tools/call',
    );
    assert.equal(mcpMethodLabel('POST', {}, body('{ "method" : "initialize", "id": 1 }')), 'initialize');
    assert.equal(mcpMethodLabel('POST', { 'mcp-method': 'tools/list' }, body('{}')), 'tools/list');
  });

  it('keeps labels few: unknown methods are other, batches batch, answers to the server response', () => {
    assert.equal(mcpMethodLabel('POST', {}, body('{"method":"evil/' + 'x'.repeat(40) + '"}')), 'other');
    assert.equal(mcpMethodLabel('POST', { 'mcp-method': 'made/up' }, body('{}')), 'other');
    assert.equal(mcpMethodLabel('POST', {}, body(' [{"method":"ping"}]')), 'batch');
    assert.equal(mcpMethodLabel('POST', {}, body('{"jsonrpc":"2.0","id":1,"result":{}}')), 'response');
    assert.equal(mcpMethodLabel('POST', {}, undefined), 'other');
  });

  it('names the standalone stream and the end of a session by their HTTP method', () => {
    assert.equal(mcpMethodLabel('GET', {}, undefined), 'stream');
    assert.equal(mcpMethodLabel('DELETE', {}, undefined), 'session_delete');
    assert.equal(mcpMethodLabel('PUT', {}, undefined), 'other');
  });
});
