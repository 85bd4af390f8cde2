/**
 * A proxy whose port is taken fails to start, and leaves nothing behind: the
 * MCP server it started is stopped and its store is closed, so a second try
 * (a platform restart, or the test harness picking another port) starts clean.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { acceptsConnections } from '../../../src/supervisor/probe-port.ts';
import { freePort } from '../../support/free-port.ts';
import { startTestProxy } from '../../support/test-proxy.ts';

describe('a port already in use', () => {
  it('fails the start with EADDRINUSE and stops the MCP server it had started', async (t) => {
    const squatter = createServer();
    squatter.listen(0);
    await once(squatter, 'listening');
    t.after(() => squatter.close());
    const port = (squatter.address() as { port: number }).port;
    const mcpPort = await freePort();

    await assert.rejects(startTestProxy({ port, supervisedMcp: { port: mcpPort } }), { code: 'EADDRINUSE' });
    assert.equal(
      await acceptsConnections({ host: '127.0.0.1', port: mcpPort }),
      false,
      'the supervised MCP server is gone',
    );
  });
});
