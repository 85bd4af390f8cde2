/**
 * What the confirm page shows as "you will be sent back to": the hostname of
 * each redirect URI, once each (security best practices §2.1.5.2: the consent
 * UI must clearly show the redirect URI's hostname). An app-claimed scheme
 * (`cursor://…`, `com.example.app:/…`, RFC 8252 §7.1) keeps its scheme, since
 * the scheme is what names the app; loopback and web URIs show the host alone.
 */
export function redirectHostnames(redirectUris: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const redirectUri of redirectUris) seen.add(displayTarget(redirectUri));
  return [...seen];
}

function displayTarget(redirectUri: string): string {
  const parsed = URL.parse(redirectUri);
  if (parsed === null) return redirectUri;
  if (parsed.protocol === 'https:' || parsed.protocol === 'http:') return parsed.hostname;
  return parsed.host === '' ? parsed.protocol : `${parsed.protocol}//${parsed.host}`;
}
