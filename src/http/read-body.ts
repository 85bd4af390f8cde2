import type { IncomingMessage } from 'node:http';
import { OAuthError } from '../oauth/oauth-error.ts';

/**
 * Reads a small request body into memory, refusing more than `limitBytes`
 * (by Content-Length up front, and while reading for chunked bodies) with 413.
 * Only for forms and JSON on the authorization side; the MCP proxy streams.
 */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limitBytes) {
    req.resume();
    throw new OAuthError('request_too_large', `the request body exceeds ${limitBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > limitBytes) {
      req.resume();
      throw new OAuthError('request_too_large', `the request body exceeds ${limitBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
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
