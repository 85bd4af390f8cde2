import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pageSecurityHeaders } from '../../../src/views/index.ts';

function directives(csp: string | undefined): Map<string, string> {
  assert.ok(csp !== undefined);
  return new Map(
    csp.split(';').map((part) => {
      const [name = '', ...values] = part.trim().split(/\s+/);
      return [name, values.join(' ')] as const;
    }),
  );
}

describe('pageSecurityHeaders', () => {
  it('marks the page as uncacheable, unframeable, unsniffable HTML that sends no referrer', () => {
    const headers = pageSecurityHeaders();
    assert.equal(headers['Content-Type'], 'text/html; charset=utf-8');
    assert.equal(headers['Cache-Control'], 'no-store');
    assert.equal(headers['Pragma'], 'no-cache');
    assert.equal(headers['X-Frame-Options'], 'DENY');
    assert.equal(headers['X-Content-Type-Options'], 'nosniff');
    assert.equal(headers['Referrer-Policy'], 'no-referrer');
  });

  it('sends a CSP that allows no script, inline styles only, and no framing', () => {
    const csp = directives(pageSecurityHeaders()['Content-Security-Policy']);
    assert.deepEqual(
      [...csp.entries()],
      [
        ['default-src', "'none'"],
        ['style-src', "'unsafe-inline'"],
        ['img-src', "'self' data:"],
        ['base-uri', "'none'"],
        ['frame-ancestors', "'none'"],
      ],
    );
  });

  it('has no form-action, which Chromium would apply to the redirect to the IdP', () => {
    assert.doesNotMatch(pageSecurityHeaders()['Content-Security-Policy'] ?? '', /form-action/);
    assert.doesNotMatch(pageSecurityHeaders()['Content-Security-Policy'] ?? '', /script-src/);
  });

  it('allows the favicon origin in img-src', () => {
    const csp = directives(
      pageSecurityHeaders({ faviconOrigin: 'https://www.herokucdn.com' })['Content-Security-Policy'],
    );
    assert.equal(csp.get('img-src'), "'self' data: https://www.herokucdn.com");
  });

  it('reduces a favicon origin to a bare http(s) origin, so it cannot add sources or directives', () => {
    const injected = pageSecurityHeaders({
      faviconOrigin: "https://cdn.example/x; script-src 'unsafe-inline'",
    });
    assert.equal(
      directives(injected['Content-Security-Policy']).get('img-src'),
      "'self' data: https://cdn.example",
    );
    assert.doesNotMatch(injected['Content-Security-Policy'] ?? '', /script-src/);
    for (const faviconOrigin of ['javascript:alert(1)', '*', 'not a url', undefined]) {
      const csp = directives(pageSecurityHeaders({ faviconOrigin })['Content-Security-Policy']);
      assert.equal(csp.get('img-src'), "'self' data:");
    }
  });
});
