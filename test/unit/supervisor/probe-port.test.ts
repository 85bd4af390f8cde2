import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { acceptsConnections, portAddressOf } from '../../../src/supervisor/probe-port.ts';
import { freePort } from '../../support/child-fixtures/free-port.ts';

describe('MCP server port probe', () => {
  it('takes the host and port from MCP_SERVER_URL, defaulting the port by scheme', () => {
    assert.deepEqual(portAddressOf(new URL('http://localhost:3001/mcp')), { host: 'localhost', port: 3001 });
    assert.deepEqual(portAddressOf(new URL('http://mcp.internal/mcp')), { host: 'mcp.internal', port: 80 });
    assert.deepEqual(portAddressOf(new URL('https://mcp.internal/mcp')), { host: 'mcp.internal', port: 443 });
  });

  it('strips the brackets of an IPv6 literal', () => {
    assert.deepEqual(portAddressOf(new URL('http://[::1]:9000/mcp')), { host: '::1', port: 9000 });
  });

  it('tells a listening port from a closed one', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      assert.equal(await acceptsConnections({ host: '127.0.0.1', port }), true);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    assert.equal(await acceptsConnections({ host: '127.0.0.1', port: await freePort() }), false);
  });
});
