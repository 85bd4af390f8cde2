import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import { buildClientResponseHeaders } from './client-response-headers.ts';

/**
 * Sends the upstream response to the client: status unchanged, end-to-end
 * headers, then the body as it arrives. Resolves when the exchange is over,
 * with the stream error if either side broke it.
 *
 * pipeline() ties the two ends together: when the client goes away the
 * upstream response is destroyed (which closes its connection, so the MCP
 * server sees the cancellation, MCP [26] §5); when the upstream breaks off,
 * the client's response is destroyed rather than ended, so a cut stream is
 * never mistaken for a complete one.
 */
export function relayResponse(upstream: IncomingMessage, res: ServerResponse): Promise<Error | undefined> {
  const { headers, isEventStream } = buildClientResponseHeaders(upstream.rawHeaders);
  res.writeHead(upstream.statusCode ?? 502, headers);
  // SSE: the client sees the status and headers now, not with the first
  // event (which may come minutes later); each event is then written as
  // it arrives (Node's server sockets have Nagle off).
  if (isEventStream) res.flushHeaders();
  return new Promise((resolve) => {
    pipeline(upstream, res, (error) => resolve(error ?? undefined));
  });
}
