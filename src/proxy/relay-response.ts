import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildClientResponseHeaders } from './client-response-headers.ts';

/** What ended a relayed response. */
export type RelayEnd = 'complete' | 'client_gone' | 'upstream_broke';

/**
 * Sends the upstream response to the client: status unchanged, end-to-end
 * headers, then the body chunk by chunk as it arrives (pipe() keeps
 * backpressure: a slow client slows the upstream read, memory stays flat).
 * Resolves when the client's response is closed.
 *
 * The two ends are tied together by hand rather than with stream.pipeline,
 * which builds and aborts an AbortController (a DOMException with a stack
 * trace) for every response; on this path that was measurable.
 * - The client goes away: the upstream response is destroyed, which closes
 *   its connection, so the MCP server sees the cancellation (MCP [26] §5).
 * - The upstream breaks off: the client's response is destroyed rather than
 *   ended, so a cut stream is never mistaken for a complete one.
 */
export function relayResponse(upstream: IncomingMessage, res: ServerResponse): Promise<RelayEnd> {
  const { headers, isEventStream } = buildClientResponseHeaders(upstream.rawHeaders);
  writeResponseHead(res, upstream.statusCode ?? 502, headers);
  // SSE: the client sees the status and headers now, not with the first
  // event (which may come minutes later); each event is then written as
  // it arrives (Node's server sockets have Nagle off).
  if (isEventStream) res.flushHeaders();

  return new Promise((resolve) => {
    let upstreamBroke = false;
    // Failures surface through 'close' below; without a listener an
    // upstream 'error' would be thrown.
    upstream.on('error', () => undefined);
    upstream.once('close', () => {
      if (upstream.complete) return;
      upstreamBroke = true;
      res.destroy();
    });
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy();
      resolve(upstreamBroke ? 'upstream_broke' : res.writableFinished ? 'complete' : 'client_gone');
    });
    upstream.pipe(res);
  });
}

/**
 * Same result as res.writeHead(status, headers): the upstream's headers replace
 * any of ours of the same name (CORS, RateLimit-*, X-Request-Id are already
 * set), duplicates kept. writeHead with a list calls removeHeader for every
 * name in it, and in profiles of the running proxy that removal was its
 * costliest step (docs/benchmarks.md); here only names that are set are removed.
 */
function writeResponseHead(res: ServerResponse, statusCode: number, headers: readonly string[]): void {
  for (let index = 0; index < headers.length; index += 2) {
    const name = headers[index]!;
    if (res.hasHeader(name)) res.removeHeader(name);
  }
  for (let index = 0; index < headers.length; index += 2)
    res.appendHeader(headers[index]!, headers[index + 1]!);
  res.writeHead(statusCode);
}
