export interface PageHeaderOptions {
  /** The favicon's origin (e.g. `https://www.herokucdn.com`) when it is served from elsewhere. */
  readonly faviconOrigin?: string | undefined;
}

/**
 * Headers for every HTML page we serve (confirm page, error pages).
 *
 * The CSP allows no script at all (`default-src 'none'` and no `script-src`),
 * inline styles only, and images from ourselves, `data:` and the favicon's
 * origin. `frame-ancestors 'none'` plus `X-Frame-Options: DENY` stop the
 * confirm page from being framed and clickjacked (MCP security best practices
 * §2.1.5.2 "Consent UI Requirements"). There is deliberately no `form-action`:
 * Chromium applies it to every redirect that follows a form submission, and the
 * confirm POST ends in a redirect chain to the IdP's origin, so any list short
 * of that origin blocks the login (the reference proxy drops it too,
 * heroku-compat §10). `Cache-Control: no-store` keeps interaction pages, which carry a
 * CSRF token, out of every cache (RFC 9111 §5.2.2.5); `Pragma` is for
 * HTTP/1.0 caches.
 */
export function pageSecurityHeaders(options: PageHeaderOptions = {}): Readonly<Record<string, string>> {
  const imgSources = ["'self'", 'data:'];
  const faviconSource = cspOrigin(options.faviconOrigin);
  if (faviconSource !== undefined) imgSources.push(faviconSource);
  const csp = [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    `img-src ${imgSources.join(' ')}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
    'Content-Security-Policy': csp,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

/**
 * Re-serialises the origin through the URL parser so that nothing but a bare
 * http(s) origin can reach the header: no spaces, `;` or `'` that would add
 * sources or directives.
 */
function cspOrigin(origin: string | undefined): string | undefined {
  if (origin === undefined) return undefined;
  const parsed = URL.parse(origin);
  if (parsed === null || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) return undefined;
  return parsed.origin;
}
