import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';

/**
 * What the edge decides about a request once, before any route runs, and passes
 * down typed: nothing below decides it again, and nothing is written back into
 * `req.headers` (an MCP server, an observer or oidc-provider would otherwise
 * read a client's header where it expects our decision).
 */
export interface RequestContext {
  /** X-Request-Id: the client's when sane, else a fresh UUID; answered, logged and forwarded as is. */
  readonly requestId: string;
  /** The request target's path, without its query. */
  readonly pathname: string;
  /** The query with its `?`, or '' without one: `pathname + search` is the request target. */
  readonly search: string;
  /** When the edge took the request (clock ms): durations, and the instant a token must be valid at. */
  readonly startedMs: number;
}

/**
 * A client-sent request id is kept when it is short and made of URL-safe
 * characters (what Heroku's router and common tracers send), so one id follows
 * the request through the router, the proxy and the MCP server; any other value
 * is replaced rather than logged or forwarded.
 */
const SANE_REQUEST_ID = /^[\w.:@+=/-]{1,200}$/;

const saneRequestId = (incoming: string | string[] | undefined): string | undefined =>
  typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : undefined;

/** The context of each request that went through the edge, for code that only holds the request. */
const contexts = new WeakMap<IncomingMessage, RequestContext>();

/** Decides the request's context, once, at the edge (http/create-request-handler.ts). */
export function createRequestContext(req: IncomingMessage, clock: Clock): RequestContext {
  const target = req.url ?? '/';
  const queryStart = target.indexOf('?');
  const context: RequestContext = {
    requestId: saneRequestId(req.headers['x-request-id']) ?? randomUUID(),
    pathname: queryStart === -1 ? target : target.slice(0, queryStart),
    search: queryStart === -1 ? '' : target.slice(queryStart),
    startedMs: clock.nowMs(),
  };
  contexts.set(req, context);
  return context;
}

/**
 * The request id the edge decided, for code that is handed only the request
 * (observers, oidc-provider's hooks). A request that never went through the
 * edge (a test's fake) has the client's id when sane, by the same rule.
 */
export function requestIdOf(req: IncomingMessage): string | undefined {
  return contexts.get(req)?.requestId ?? saneRequestId(req.headers['x-request-id']);
}

/** A stand-in for a request (a replay of its body) keeps the request's context. */
export function carryRequestContext(from: IncomingMessage, to: IncomingMessage): void {
  const context = contexts.get(from);
  if (context !== undefined) contexts.set(to, context);
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
