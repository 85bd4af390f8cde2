import { HOP_BY_HOP_HEADERS, connectionNamedHeaders, removeNamedPairs } from './hop-by-hop.ts';

export interface ClientResponseHead {
  /** Flat [name, value, …] list for res.writeHead. */
  readonly headers: string[];
  /** text/event-stream: flushed at once and never buffered (MCP Streamable HTTP, SSE). */
  readonly isEventStream: boolean;
}

/**
 * Upstream headers the client never sees. Besides the hop-by-hop fields:
 * Set-Cookie, because the MCP server shares our public origin with the
 * authorization server, so its cookies could overwrite our session cookies
 * (and the proxy never forwards the client's cookies to it anyway).
 */
const DROPPED_RESPONSE_HEADERS: ReadonlySet<string> = new Set([...HOP_BY_HOP_HEADERS, 'set-cookie']);

const EVENT_STREAM = 'text/event-stream';

/**
 * Copies the upstream response's end-to-end headers unchanged: Mcp-Session-Id,
 * Content-Type, Content-Encoding, Content-Length, Cache-Control, Location,
 * WWW-Authenticate and anything the MCP server adds later.
 */
export function buildClientResponseHeaders(rawHeaders: readonly string[]): ClientResponseHead {
  const headers: string[] = [];
  let connection: string | undefined;
  let isEventStream = false;
  let hasAccelBuffering = false;

  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!;
    const value = rawHeaders[index + 1]!;
    const lower = name.toLowerCase();
    if (DROPPED_RESPONSE_HEADERS.has(lower)) {
      if (lower === 'connection') connection = connection === undefined ? value : `${connection}, ${value}`;
      continue;
    }
    if (lower === 'content-type') {
      isEventStream =
        value.length >= EVENT_STREAM.length &&
        value.slice(0, EVENT_STREAM.length).toLowerCase() === EVENT_STREAM;
    } else if (lower === 'x-accel-buffering') {
      hasAccelBuffering = true;
    }
    headers.push(name, value);
  }

  const named = connectionNamedHeaders(connection);
  if (named !== undefined) removeNamedPairs(headers, named);
  // Tells nginx-style front proxies not to hold events back (MCP Streamable HTTP [26] §3).
  if (isEventStream && !hasAccelBuffering) headers.push('x-accel-buffering', 'no');
  return { headers, isEventStream };
}
