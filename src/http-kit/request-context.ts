import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';

/** A client-sent request id is kept when it is short and printable, so logs join up across hops. */
const SANE_REQUEST_ID = /^[\w.:-]{1,128}$/;

export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * The client's address. Behind the router (LOCAL_INSECURE=false) the last
 * X-Forwarded-For hop is the one the router itself appended; anything before
 * it is client-supplied and spoofable, so only that last hop is trusted.
 */
export function clientAddressOf(req: IncomingMessage, trustForwarded: boolean): string {
  if (trustForwarded) {
    const forwarded = req.headers['x-forwarded-for'];
    const value = Array.isArray(forwarded) ? forwarded.join(',') : forwarded;
    const last = value?.split(',').pop()?.trim();
    if (last !== undefined && last !== '') return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

/** The scheme the client used: the router's X-Forwarded-Proto (last hop) when trusted. */
export function requestProtocolOf(req: IncomingMessage, trustForwarded: boolean): 'http' | 'https' {
  if (trustForwarded) {
    const forwarded = req.headers['x-forwarded-proto'];
    const value = Array.isArray(forwarded) ? forwarded.join(',') : forwarded;
    const last = value?.split(',').pop()?.trim().toLowerCase();
    if (last === 'https' || last === 'http') return last;
  }
  return 'encrypted' in req.socket && req.socket.encrypted === true ? 'https' : 'http';
}
