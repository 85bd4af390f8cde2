import type { IncomingMessage } from 'node:http';
import { discardRequestBody } from './refuse-oversized-body.ts';

export type RequestBody =
  | { readonly kind: 'complete'; readonly bytes: Buffer }
  | { readonly kind: 'too_large' }
  | { readonly kind: 'aborted' };

const EMPTY: RequestBody = { kind: 'complete', bytes: Buffer.alloc(0) };
const EMPTY_BODY = Promise.resolve(EMPTY);
const TOO_LARGE: RequestBody = { kind: 'too_large' };
const ABORTED: RequestBody = { kind: 'aborted' };

/**
 * Reads the whole body into memory, as bytes (never parsed), up to maxBytes:
 * refused by Content-Length before a byte is read, or as soon as a chunked
 * body grows past the limit. From then on the rest is thrown away
 * (discardRequestBody), whoever answers; a 413 goes through refuseOversizedBody.
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
    void discardRequestBody(req);
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
      void discardRequestBody(req);
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
