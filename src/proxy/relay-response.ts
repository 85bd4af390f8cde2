import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Transform } from 'node:stream';
import type { StandaloneStreams } from '../http-kit/standalone-streams.ts';
import { buildClientResponseHeaders } from './client-response-headers.ts';

/** What ended a relayed response. `ended_at_shutdown`: a standalone stream, ended cleanly by us. */
export type RelayEnd = 'complete' | 'client_gone' | 'upstream_broke' | 'ended_at_shutdown';

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
 * - With `standaloneStreams` (a GET), an SSE answer is registered there, and
 *   shutdown ends it: the client's response is ended properly (the client sees
 *   a finished stream and resumes it elsewhere) and the upstream GET is aborted.
 * - With `through` (the access rules' list filter), the body passes through
 *   it on its way, and the client's response has no Content-Length.
 */
export function relayResponse(
  upstream: IncomingMessage,
  res: ServerResponse,
  standaloneStreams?: StandaloneStreams,
  through?: Transform,
): Promise<RelayEnd> {
  const head = buildClientResponseHeaders(upstream.rawHeaders);
  const { isEventStream } = head;
  const headers = through === undefined ? head.headers : withoutContentLength(head.headers);
  writeResponseHead(res, upstream.statusCode ?? 502, headers);
  // SSE: the client sees the status and headers now, not with the first
  // event (which may come minutes later); each event is then written as
  // it arrives (Node's server sockets have Nagle off).
  if (isEventStream) res.flushHeaders();

  return new Promise((resolve) => {
    let upstreamBroke = false;
    let endedAtShutdown = false;
    const source = through ?? upstream;
    const forget =
      isEventStream && standaloneStreams !== undefined
        ? standaloneStreams.open(() => {
            endedAtShutdown = true;
            source.unpipe(res);
            res.end();
            upstream.destroy();
          })
        : undefined;
    // Failures surface through 'close' below; without a listener an
    // upstream 'error' would be thrown.
    upstream.on('error', () => undefined);
    upstream.once('close', () => {
      if (upstream.complete || endedAtShutdown) return;
      upstreamBroke = true;
      res.destroy();
    });
    res.once('close', () => {
      forget?.();
      if (!res.writableFinished) upstream.destroy();
      if (upstreamBroke) return resolve('upstream_broke');
      if (endedAtShutdown) return resolve('ended_at_shutdown');
      resolve(res.writableFinished ? 'complete' : 'client_gone');
    });
    // Shutdown may have begun while the upstream answered: the stream was then ended in open().
    if (endedAtShutdown) return;
    if (through !== undefined) {
      through.once('error', () => res.destroy());
      upstream.pipe(through);
    }
    source.pipe(res);
  });
}

/** The headers without Content-Length, for a body that changes on its way (and so is sent chunked). */
export function withoutContentLength(headers: readonly string[]): string[] {
  const kept: string[] = [];
  for (let index = 0; index < headers.length; index += 2) {
    if (headers[index]!.toLowerCase() !== 'content-length') kept.push(headers[index]!, headers[index + 1]!);
  }
  return kept;
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
