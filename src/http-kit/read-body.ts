import type { IncomingMessage } from 'node:http';
import { OAuthError } from '../oauth/oauth-error.ts';
import { readRequestBody } from './read-request-body.ts';
import { declaredLengthOf, RequestTooLargeError } from './refuse-oversized-body.ts';

/**
 * Reads a small request body into memory. Over `limitBytes` (by Content-Length
 * up front, or while reading a chunked body) it throws RequestTooLargeError,
 * which the error boundary answers with refuseOversizedBody. For forms and
 * JSON outside the MCP endpoint.
 */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const body = await readRequestBody(req, true, declaredLengthOf(req), limitBytes);
  if (body.kind === 'too_large') throw new RequestTooLargeError(limitBytes);
  // Nobody is left to read the answer; the error only ends the handler.
  if (body.kind === 'aborted') throw new OAuthError('invalid_request', 'the request body was cut off');
  return body.bytes;
}

/** Reads an application/x-www-form-urlencoded body (HTML forms). */
export async function readFormBody(req: IncomingMessage, limitBytes: number): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    req.resume();
    throw new OAuthError('unsupported_media_type', 'expected an application/x-www-form-urlencoded form');
  }
  return new URLSearchParams((await readBody(req, limitBytes)).toString('utf8'));
}
