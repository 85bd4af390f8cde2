import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMcpRequestOriginCheck } from '../../../src/http/mcp-request-origin.ts';

// req: A9.10
describe('the MCP endpoint origin check', () => {
  const production = createMcpRequestOriginCheck({
    baseUrl: 'https://mcp.example.com',
    allowedOrigins: ['https://app.example.com'],
    localInsecure: false,
  });
  const local = createMcpRequestOriginCheck({
    baseUrl: 'http://127.0.0.1:3000',
    allowedOrigins: [],
    localInsecure: true,
  });

  it('lets requests without Origin through, whatever the mode', () => {
    assert.equal(production({ host: 'mcp.example.com' }), undefined);
    assert.equal(local({ host: '127.0.0.1:3000' }), undefined);
  });

  it('lets BASE_URL’s origin and the configured origins through, nothing else', () => {
    assert.equal(production({ origin: 'https://mcp.example.com' }), undefined);
    assert.equal(production({ origin: 'https://app.example.com' }), undefined);
    for (const origin of [
      'https://evil.example',
      'http://mcp.example.com',
      'null',
      'http://localhost:6274',
    ]) {
      assert.equal(production({ origin })?.status, 403, origin);
    }
  });

  it('allows loopback origins only in local mode', () => {
    assert.equal(local({ origin: 'http://localhost:6274', host: '127.0.0.1:3000' }), undefined);
    assert.equal(local({ origin: 'http://[::1]:6274', host: '127.0.0.1:3000' }), undefined);
    assert.equal(local({ origin: 'http://evil.example', host: '127.0.0.1:3000' })?.status, 403);
  });

  it('checks Host only in local mode, where it must be BASE_URL’s or loopback', () => {
    assert.equal(production({ host: 'internal-router-name' }), undefined, 'TLS binds the name in production');
    assert.equal(local({ host: 'evil.example.com' })?.status, 403);
    assert.equal(local({ host: 'evil.example.com:3000' })?.status, 403);
    assert.equal(local({})?.status, 403, 'no Host at all');
    assert.equal(local({ host: 'localhost:4000' }), undefined);
    assert.equal(local({ host: '[::1]:3000' }), undefined);
  });
});
