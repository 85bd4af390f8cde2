import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refuseClientIdUrl } from '../../../src/authorization-server/client-id-metadata-documents.ts';

// req: A5.6
describe('which client_id URLs the proxy may fetch a metadata document from', () => {
  it('fetches public https URLs with a path', () => {
    for (const url of [
      'https://claude.ai/oauth/mcp-oauth-client-metadata',
      'https://example.github.io/app/client.json',
      'https://8.8.8.8/client',
      'https://[2606:4700::1111]/client',
    ]) {
      assert.equal(refuseClientIdUrl(url, false), undefined, url);
    }
  });

  it('refuses http, and URLs without a path (CIMD §3)', () => {
    assert.match(refuseClientIdUrl('http://claude.ai/oauth/x', false) ?? '', /https/);
    assert.match(refuseClientIdUrl('https://claude.ai/', false) ?? '', /path/);
    assert.match(refuseClientIdUrl('https://claude.ai', false) ?? '', /path/);
  });

  it('refuses private, loopback, link-local and other special-use addresses (SSRF)', () => {
    for (const url of [
      'https://127.0.0.1/c',
      'https://10.1.2.3/c',
      'https://172.16.0.1/c',
      'https://192.168.1.1/c',
      'https://169.254.169.254/latest/meta-data',
      'https://100.64.0.1/c',
      'https://0.0.0.0/c',
      'https://[::1]/c',
      'https://[fd00::1]/c',
      'https://[fe80::1]/c',
      'https://[::ffff:127.0.0.1]/c',
    ]) {
      assert.match(refuseClientIdUrl(url, false) ?? '', /private or loopback/, url);
    }
  });

  it('refuses local host names: localhost, *.localhost and single-label intranet names', () => {
    for (const url of ['https://localhost/c', 'https://app.localhost/c', 'https://intranet/c']) {
      assert.match(refuseClientIdUrl(url, false) ?? '', /local host/, url);
    }
  });

  it('allows all of them when private addresses are allowed (local development)', () => {
    for (const url of ['https://localhost:8443/c', 'https://127.0.0.1/c', 'https://[::1]/c']) {
      assert.equal(refuseClientIdUrl(url, true), undefined, url);
    }
  });
});
