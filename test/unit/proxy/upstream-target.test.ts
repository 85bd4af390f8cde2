import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createUpstreamTarget, type UpstreamTarget } from '../../../src/proxy/upstream-target.ts';

/** The edge hands the proxy the request target split into its path and its query. */
const mapped = (target: UpstreamTarget) => ({
  pathFor(requestTarget: string): string | undefined {
    const queryStart = requestTarget.indexOf('?');
    return queryStart === -1
      ? target.pathFor(requestTarget, '')
      : target.pathFor(requestTarget.slice(0, queryStart), requestTarget.slice(queryStart));
  },
});

describe('createUpstreamTarget', () => {
  const target = mapped(createUpstreamTarget('/mcp', new URL('http://127.0.0.1:3000/mcp')));

  it('maps the mount, its subpaths and its query', () => {
    assert.equal(target.pathFor('/mcp'), '/mcp');
    assert.equal(target.pathFor('/mcp/'), '/mcp/');
    assert.equal(target.pathFor('/mcp/x/y'), '/mcp/x/y');
    assert.equal(target.pathFor('/mcp?a=1&b=2'), '/mcp?a=1&b=2');
    assert.equal(target.pathFor('/mcp/x?a=1'), '/mcp/x?a=1');
  });

  it('refuses paths outside the mount', () => {
    assert.equal(target.pathFor('/mcpx'), undefined);
    assert.equal(target.pathFor('/other/mcp'), undefined);
    assert.equal(target.pathFor('http://evil.example/mcp'), undefined);
  });

  it('refuses dot segments, plain or encoded, that could leave the mount upstream', () => {
    for (const path of [
      '/mcp/..',
      '/mcp/../admin',
      '/mcp/./x',
      '/mcp/%2e%2e/admin',
      '/mcp/%2E./x',
      '/mcp/..%2fadmin',
      '/mcp/..\\admin',
    ]) {
      assert.equal(target.pathFor(path), undefined, path);
    }
    assert.equal(target.pathFor('/mcp/.well-known/x'), '/mcp/.well-known/x');
    assert.equal(target.pathFor('/mcp/a..b'), '/mcp/a..b');
  });

  it("puts MCP_SERVER_URL's query first, then the request's", () => {
    const withQuery = mapped(createUpstreamTarget('/mcp', new URL('https://mcp.internal/base/?tenant=t1')));
    assert.equal(withQuery.pathFor('/mcp'), '/base?tenant=t1');
    assert.equal(withQuery.pathFor('/mcp/x?y=2'), '/base/x?tenant=t1&y=2');
  });

  it('supports a mount and an upstream at the root', () => {
    const root = mapped(createUpstreamTarget('/', new URL('http://127.0.0.1:3000/')));
    assert.equal(root.pathFor('/'), '/');
    assert.equal(root.pathFor('/x?y=1'), '/x?y=1');
  });

  it('maps a public mount onto a different upstream path', () => {
    const moved = mapped(createUpstreamTarget('/mcp', new URL('http://127.0.0.1:3000/internal/mcp')));
    assert.equal(moved.pathFor('/mcp/sub'), '/internal/mcp/sub');
  });
});
