import type { ServerResponse } from 'node:http';
import type { OAuthError } from '../oauth/oauth-error.ts';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(payload);
}

/** RFC 6749 §5.2 JSON error, with Retry-After for 429/503. */
export function sendOAuthError(
  res: ServerResponse,
  error: OAuthError,
  headers: Readonly<Record<string, string>> = {},
): void {
  sendJson(res, error.status, error.toJSON(), {
    ...(error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) }),
    ...headers,
  });
}

export function redirect(res: ServerResponse, status: 302 | 303 | 307, location: string): void {
  res.writeHead(status, { location, 'content-length': 0, 'cache-control': 'no-store' });
  res.end();
}
