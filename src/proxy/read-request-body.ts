import type { IncomingMessage } from 'node:http';

export type RequestBody =
  | { readonly kind: 'complete'; readonly bytes: Buffer }
  | { readonly kind: 'too_large' }
  | { readonly kind: 'aborted' };

const EMPTY: RequestBody = { kind: 'complete', bytes: Buffer.alloc(0) };
const EMPTY_BODY = Promise.resolve(EMPTY);
const TOO_LARGE: RequestBody = { kind: 'too_large' };
const ABORTED: RequestBody = { kind: 'aborted' };

/**
 * After a 413 the rest of the body is read and thrown away, so the client
 * can read our answer and keep its connection (closing a socket that still
 * has unread input makes the kernel send RST, which can destroy the answer
 * in flight). A client that keeps sending past this many bytes is cut off.
 */
const DISCARD_LIMIT_BYTES = 1024 * 1024;

/**
 * Reads the whole body into memory, as bytes (never parsed), up to maxBytes.
 * It is held so that a request refused with the old IdP token can be sent
 * again after the refresh (see DESIGN.md "What is buffered and why").
 * A body over the limit is discarded from then on, whoever answers.
 * Never rejects.
 */
export function readRequestBody(
  req: IncomingMessage,
  hasBody: boolean,
  declaredLength: number | undefined,
  maxBytes: number,
): Promise<RequestBody> {
  if (!hasBody || declaredLength === 0) return EMPTY_BODY;
  if (declaredLength !== undefined && declaredLength > maxBytes) {
    discardRequestBody(req);
    return Promise.resolve(TOO_LARGE);
  }

  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let receivedBytes = 0;

    const finish = (result: RequestBody): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('error', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      receivedBytes += chunk.length;
      if (receivedBytes <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      finish(TOO_LARGE);
      discardRequestBody(req);
    };
    const onEnd = (): void => {
      finish({
        kind: 'complete',
        bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, receivedBytes),
      });
    };
    // 'close' before 'end' means the client went away mid-body.
    const onClose = (): void => finish(ABORTED);

    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', onClose);
  });
}

/** Throws away what is left of a refused body (see DISCARD_LIMIT_BYTES). */
export function discardRequestBody(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return;
  let discardedBytes = 0;
  req.on('data', (chunk: Buffer) => {
    discardedBytes += chunk.length;
    if (discardedBytes > DISCARD_LIMIT_BYTES) req.socket.destroy();
  });
  req.on('error', () => undefined);
  req.resume();
}
