import type { IncomingMessage, ServerResponse } from 'node:http';
import { OAuthError } from '../oauth/oauth-error.ts';

/**
 * How much of a refused body is read and thrown away after the 413, and for
 * how long, before the socket is cut. The answer only reaches a client that
 * is still uploading if the server goes on reading: closing a socket with
 * unread input makes the kernel send RST, and a client's kernel drops the
 * answer it has not read yet when RST arrives (the "lingering close" of
 * RFC 9112 §9.6). HTTP clients stop sending once they have read the answer
 * (undici closes the connection at once), so the bound only matters against
 * a client that never stops. 64 MiB is 16 times the default body limit and
 * takes well under a second on a LAN; 5 s leaves a client on a slow uplink
 * time to read the answer, and stays far below the shutdown grace
 * (MCP_AUTH_PROXY_SHUTDOWN_GRACE_MS, 10 s) and Heroku's 30 s.
 */
export const DISCARD_LIMIT_BYTES = 64 * 1024 * 1024;
export const DISCARD_LIMIT_MS = 5_000;

/** How the rest of a refused body ended: read to its end, cut at the bound, or the client went away. */
export type DiscardEnd = 'ended' | 'cut' | 'gone';

/** A body over an endpoint's limit. Answered with refuseOversizedBody, whoever detects it. */
export class RequestTooLargeError extends OAuthError {
  readonly limitBytes: number;

  constructor(limitBytes: number) {
    super('request_too_large', `The request body exceeds ${limitBytes} bytes.`);
    this.name = 'RequestTooLargeError';
    this.limitBytes = limitBytes;
  }
}

const discarding = new WeakMap<IncomingMessage, Promise<DiscardEnd>>();

/**
 * Reads what is left of a refused body and throws it away, within
 * DISCARD_LIMIT_BYTES and DISCARD_LIMIT_MS; past either the socket is
 * destroyed. Once per request: later calls share the first one's outcome.
 */
export function discardRequestBody(req: IncomingMessage): Promise<DiscardEnd> {
  let pending = discarding.get(req);
  if (pending === undefined) {
    pending = startDiscarding(req);
    discarding.set(req, pending);
  }
  return pending;
}

function startDiscarding(req: IncomingMessage): Promise<DiscardEnd> {
  if (req.complete) return Promise.resolve('ended');
  if (req.destroyed) return Promise.resolve('gone');
  return new Promise((resolve) => {
    let discardedBytes = 0;
    const finish = (end: DiscardEnd): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      resolve(end);
    };
    const cut = (): void => {
      finish('cut');
      req.socket.destroy();
    };
    const onData = (chunk: Buffer): void => {
      discardedBytes += chunk.length;
      if (discardedBytes > DISCARD_LIMIT_BYTES) cut();
    };
    const onEnd = (): void => finish('ended');
    const onClose = (): void => finish(req.complete ? 'ended' : 'gone');
    const timer = setTimeout(cut, DISCARD_LIMIT_MS);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    // A reset surfaces through 'close'; without a listener the error would be thrown.
    req.on('error', () => undefined);
    req.resume();
  });
}

/**
 * Answers 413 `request_too_large` (RFC 6749 §5.2 JSON) with `Connection: close`,
 * and throws the rest of the body away (discardRequestBody) so that the client
 * can read the answer. The answer is written at once but ended only when the
 * body is drained: Node closes a `Connection: close` socket as soon as its
 * response ends, which is the RST this avoids. The one way every endpoint
 * refuses a body over its limit.
 */
export function refuseOversizedBody(req: IncomingMessage, res: ServerResponse, limitBytes: number): void {
  if (res.headersSent) {
    // Too late for a status line: cutting the connection is the only honest signal.
    res.destroy();
    return;
  }
  const payload = JSON.stringify(new RequestTooLargeError(limitBytes).toJSON());
  res.writeHead(413, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
    // RFC 9112 §9.6: the rest of the body is not worth reading on a connection kept for reuse.
    connection: 'close',
  });
  res.write(payload);
  void discardRequestBody(req).then(() => {
    if (!res.destroyed) res.end();
  });
}

/** The declared Content-Length, or undefined when absent or not one plain number (chunked, or invalid). */
export function declaredLengthOf(req: IncomingMessage): number | undefined {
  const value = req.headers['content-length'];
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}
