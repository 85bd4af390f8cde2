import { HOP_BY_HOP_HEADERS, connectionNamedHeaders, removeNamedPairs } from './hop-by-hop.ts';

/** What one pass over the client's raw headers yields. */
export interface RequestHead {
  readonly authorization: string | undefined;
  readonly requestId: string | undefined;
  readonly userAgent: string | undefined;
  /** The client framed a body (Content-Length or Transfer-Encoding, RFC 9112 §6.1-6.3). */
  readonly hasBody: boolean;
  readonly declaredLength: number | undefined;
  /**
   * The headers for the upstream request as a flat [name, value, …] list
   * (the form http.request and rawHeaders use): IDENTITY_SLOTS reserved
   * pairs that fillUpstreamIdentity writes, then the client's end-to-end headers.
   */
  readonly headers: string[];
}

export interface UpstreamIdentity {
  readonly upstreamToken: string;
  readonly scopes: readonly string[];
  readonly clientId: string;
  readonly accountId: string;
  readonly requestId: string;
  readonly userAgent: string;
}

/** How the proxy treats a client header; absent from the map = forwarded unchanged. */
type Role = 'drop' | 'authorization' | 'connection' | 'request-id' | 'user-agent' | 'content-length' | 'body';

export interface RequestHeaderRules {
  readonly roles: ReadonlyMap<string, Role>;
  readonly upstreamHost: string;
  readonly userIdHeader: string;
}

const AUTHORIZATION_VALUE_INDEX = 3;
/** host, authorization, x-authorization-scope, x-dynamic-client-id, x-request-id, <user id>, user-agent. */
const IDENTITY_SLOTS = 7;

/**
 * Built once per proxy. Besides the hop-by-hop fields, the client may not
 * send (and so forge) any header the proxy itself sets for the MCP server,
 * and its credentials stay here: its Authorization is our token, never the
 * MCP server's (MCP authorization §11.8, no token passthrough), and its
 * Cookie belongs to our authorization server's origin. Expect is dropped
 * because the body is already read when the upstream request starts.
 */
export function createRequestHeaderRules(
  upstreamHost: string,
  userIdHeader: string,
  /** Further headers the proxy writes itself (the tracing's `traceparent`). */
  ownHeaders: readonly string[] = [],
): RequestHeaderRules {
  const roles = new Map<string, Role>();
  for (const name of [...HOP_BY_HOP_HEADERS, ...ownHeaders]) roles.set(name, 'drop');
  for (const name of [
    'host',
    'cookie',
    'proxy-authorization',
    'expect',
    'x-authorization-scope',
    'x-dynamic-client-id',
  ]) {
    roles.set(name, 'drop');
  }
  const userId = userIdHeader.toLowerCase();
  roles.set(userId, 'drop');
  roles.set('connection', 'connection');
  roles.set('transfer-encoding', 'body');
  roles.set('authorization', 'authorization');
  roles.set('x-request-id', 'request-id');
  roles.set('user-agent', 'user-agent');
  roles.set('content-length', 'content-length');
  return { roles, upstreamHost, userIdHeader: userId };
}

/** One pass over rawHeaders; Node's lazily built req.headers object is never needed. */
export function readRequestHead(rawHeaders: readonly string[], rules: RequestHeaderRules): RequestHead {
  // Reserved as a packed array of strings (not holes) so V8 keeps the fast element kind.
  const headers: string[] = ['', '', '', '', '', '', '', '', '', '', '', '', '', ''];
  let authorization: string | undefined;
  let requestId: string | undefined;
  let userAgent: string | undefined;
  let connection: string | undefined;
  let hasBody = false;
  let declaredLength: number | undefined;

  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!;
    const value = rawHeaders[index + 1]!;
    const role = rules.roles.get(name.toLowerCase());
    if (role === undefined) {
      headers.push(name, value);
      continue;
    }
    switch (role) {
      case 'authorization':
        authorization ??= value;
        break;
      case 'request-id':
        requestId ??= value;
        break;
      case 'user-agent':
        userAgent ??= value;
        break;
      case 'connection':
        connection = connection === undefined ? value : `${connection}, ${value}`;
        break;
      case 'content-length':
        hasBody = true;
        declaredLength = Number(value);
        break;
      case 'body':
        hasBody = true;
        break;
      case 'drop':
        break;
    }
  }

  const named = connectionNamedHeaders(connection);
  if (named !== undefined) removeNamedPairs(headers, named, IDENTITY_SLOTS * 2);
  return { authorization, requestId, userAgent, hasBody, declaredLength, headers };
}

/** Writes the swapped credential and the identity headers into the reserved slots. */
export function fillUpstreamIdentity(
  head: RequestHead,
  rules: RequestHeaderRules,
  identity: UpstreamIdentity,
): void {
  const headers = head.headers;
  headers[0] = 'host';
  headers[1] = rules.upstreamHost;
  headers[2] = 'authorization';
  headers[AUTHORIZATION_VALUE_INDEX] = `Bearer ${identity.upstreamToken}`;
  headers[4] = 'x-authorization-scope';
  headers[5] = identity.scopes.join(' ');
  headers[6] = 'x-dynamic-client-id';
  headers[7] = identity.clientId;
  headers[8] = 'x-request-id';
  headers[9] = identity.requestId;
  headers[10] = rules.userIdHeader;
  headers[11] = identity.accountId;
  headers[12] = 'user-agent';
  headers[13] = identity.userAgent;
}

/** The replay after a refresh differs only in the credential. */
export function replaceUpstreamToken(head: RequestHead, upstreamToken: string): void {
  head.headers[AUTHORIZATION_VALUE_INDEX] = `Bearer ${upstreamToken}`;
}

/**
 * The client's Accept-Encoding is not passed on, so the MCP server answers
 * uncompressed: the proxy must read the answer (the access rules' list filter).
 */
export function dropAcceptEncoding(head: RequestHead): void {
  removeNamedPairs(head.headers, ACCEPT_ENCODING, IDENTITY_SLOTS * 2);
}

const ACCEPT_ENCODING: ReadonlySet<string> = new Set(['accept-encoding']);

/** The buffered body's exact length replaces whatever framing the client used. */
export function appendContentLength(head: RequestHead, bodyBytes: number): void {
  if (head.hasBody) head.headers.push('content-length', String(bodyBytes));
}
