/**
 * RFC 8707 resource matching. The canonical MCP resource has no trailing slash
 * (MCP authorization §8.1), but Claude.ai has been seen sending one, and URI
 * scheme and host are case-insensitive (RFC 3986 §6.2.2.1): accept those
 * spellings of the same resource and nothing else.
 */
export function isSameResource(candidate: string, resource: string): boolean {
  return normalize(candidate) === normalize(resource);
}

function normalize(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.hash !== '' || url.search !== '') return undefined;
  const path = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
  return `${url.protocol}//${url.host}${path}`;
}
