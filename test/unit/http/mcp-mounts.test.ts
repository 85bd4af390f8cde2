import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMcpMounts } from '../../../src/http/mcp-mounts.ts';

describe('createMcpMounts (the route table of the MCP servers)', () => {
  const mounts = createMcpMounts([
    { path: '/mcp', endpoint: 'default' },
    { path: '/tickets/mcp', endpoint: 'tickets' },
    { path: '/docs/v2/mcp', endpoint: 'docs' },
  ]);
  const served = (pathname: string) => mounts.match(pathname)?.endpoint;

  it('serves each mount at its path and below it', () => {
    assert.equal(served('/mcp'), 'default');
    assert.equal(served('/mcp/'), 'default');
    assert.equal(served('/mcp/x/y'), 'default');
    assert.equal(served('/tickets/mcp'), 'tickets');
    assert.equal(served('/tickets/mcp/sub'), 'tickets');
    assert.equal(served('/docs/v2/mcp'), 'docs');
    assert.equal(served('/docs/v2/mcp/a/b/c/d/e'), 'docs');
  });

  it('serves nothing beside a mount: a longer segment, a parent or another path', () => {
    for (const pathname of ['/mcpx', '/', '/tickets', '/tickets/mcpx', '/docs/v2', '/other/mcp', '', 'mcp']) {
      assert.equal(served(pathname), undefined, pathname);
    }
  });

  it('prefers the longest mount when one lies under another', () => {
    const nested = createMcpMounts([
      { path: '/a', endpoint: 'outer' },
      { path: '/a/b', endpoint: 'inner' },
    ]);
    assert.equal(nested.match('/a/b/c')?.endpoint, 'inner');
    assert.equal(nested.match('/a/b')?.endpoint, 'inner');
    assert.equal(nested.match('/a/c')?.endpoint, 'outer');
  });

  it('matches a mount with a trailing slash as the single-server route table always did', () => {
    const trailing = createMcpMounts([{ path: '/mcp/', endpoint: 'slash' }]);
    assert.equal(trailing.match('/mcp/')?.endpoint, 'slash');
    assert.equal(trailing.match('/mcp//x')?.endpoint, 'slash');
    assert.equal(trailing.match('/mcp'), undefined);
    assert.equal(trailing.match('/mcp/x'), undefined);
  });

  it('refuses two servers at one path', () => {
    assert.throws(() =>
      createMcpMounts([
        { path: '/mcp', endpoint: 1 },
        { path: '/mcp', endpoint: 2 },
      ]),
    );
  });
});
