/** Where an authorization server publishes its metadata, relative to its issuer. */
const DISCOVERY_SUFFIXES = ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'];
/** The longest issuer path tried is the configured one; shorter ones drop one segment at a time. */
const MAX_CANDIDATES = 4;

/**
 * Looks for the issuer URL the operator probably meant when discovery at
 * IDENTITY_SERVER_URL failed: the URL with a pasted `/.well-known/…` cut off,
 * the URL itself (its document may name a different issuer, e.g. with a
 * trailing slash), then each parent path down to the origin. Returns the
 * `issuer` of the first metadata document found, or undefined.
 */
export async function suggestIssuer(configured: URL, timeoutMs: number): Promise<string | undefined> {
  for (const candidate of issuerCandidates(configured)) {
    const found = await Promise.all(metadataUrls(candidate).map((url) => fetchIssuer(url, timeoutMs)));
    const issuer = found.find((value) => value !== undefined);
    if (issuer !== undefined) return issuer;
  }
  return undefined;
}

export function issuerCandidates(configured: URL): URL[] {
  const origin = configured.origin;
  const path = configured.pathname.replace(/\/\.well-known\/.*$/, '').replace(/\/+$/, '');
  const candidates: string[] = [];
  const segments = path.split('/').filter(Boolean);
  for (let count = segments.length; count >= 0; count -= 1) {
    candidates.push(`${origin}/${segments.slice(0, count).join('/')}`.replace(/\/$/, ''));
  }
  return [...new Set(candidates)].slice(0, MAX_CANDIDATES).map((candidate) => new URL(candidate));
}

/** OpenID Connect Discovery §4 appends to the issuer; RFC 8414 §3.1 inserts before its path. */
function metadataUrls(issuer: URL): string[] {
  const path = issuer.pathname === '/' ? '' : issuer.pathname;
  return [
    `${issuer.origin}${path}${DISCOVERY_SUFFIXES[0]}`,
    `${issuer.origin}${DISCOVERY_SUFFIXES[1]}${path}`,
  ];
}

async function fetchIssuer(url: string, timeoutMs: number): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    if (!response.ok) return undefined;
    const body: unknown = await response.json();
    if (typeof body !== 'object' || body === null) return undefined;
    const { issuer, authorization_endpoint: authorizationEndpoint } = body as Record<string, unknown>;
    return typeof issuer === 'string' && typeof authorizationEndpoint === 'string' ? issuer : undefined;
  } catch {
    return undefined;
  }
}
