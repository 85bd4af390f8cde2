import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { carryRequestContext, clientAddressOf } from '../http-kit/request-context.ts';
import type { RateLimitDecision, RateLimiter } from '../http-kit/rate-limiter.ts';
import { ignoreEvents, type Observe } from '../observability/index.ts';

/**
 * The largest form body read to find its client_id: oidc-provider refuses
 * larger ones anyway (its selective body parser stops at 56 KiB).
 */
const FORM_PEEK_LIMIT_BYTES = 56 * 1024;
const FORM_TYPE = 'application/x-www-form-urlencoded';

export interface AddressRateLimitOptions {
  /** MAX_REQUESTS per MAX_REQUESTS_WINDOW. */
  readonly limiter: RateLimiter;
  /** Behind the router (LOCAL_INSECURE=false): the last X-Forwarded-For hop is the client's address. */
  readonly trustForwarded: boolean;
  /** The paths whose form bodies name their client (the token, revocation, device and PAR endpoints). */
  readonly clientFormPaths: ReadonlySet<string>;
  /** Told of each request refused (metrics, audit). */
  readonly observe?: Observe | undefined;
}

export interface AddressAdmission {
  readonly decision: RateLimitDecision;
  /** The request to go on with: the original, or a replay of it when its form body had to be read. */
  readonly request: IncomingMessage;
}

export interface AddressRateLimit {
  /**
   * Counts a request to the authorization side (discovery, registration,
   * /auth, /token, interaction pages, 404s). A form POST whose client is
   * named only in its body is read first, so that the client can be keyed.
   */
  admit(req: IncomingMessage): Promise<AddressAdmission>;
  /** Counts an MCP request that carries no valid access token (it never names a client). */
  readonly admitUnauthenticated: (req: IncomingMessage) => Promise<RateLimitDecision>;
}

/**
 * MAX_REQUESTS as the Heroku proxy counts it: every request, on every route,
 * per client address (heroku-compat §3a). Two changes on purpose:
 * - requests with a valid access token are left to the per-grant MCP limit,
 *   because an agent's burst of tool calls is not an attack on sign-in;
 * - where a request names its client (the `client_id` query parameter, HTTP
 *   Basic client authentication, or the `client_id` of a token, revocation,
 *   device or PAR form), the key is address + client id. Hosted clients
 *   (Claude.ai, ChatGPT) send every user's token requests from a few
 *   addresses; keyed by address alone, one busy client would spend the
 *   budget of every other client behind the same address.
 */
export function createAddressRateLimit(options: AddressRateLimitOptions): AddressRateLimit {
  const { limiter, trustForwarded, clientFormPaths } = options;
  const observe = options.observe ?? ignoreEvents;
  const addressOf = (req: IncomingMessage) => clientAddressOf(req, trustForwarded);
  const consume = async (req: IncomingMessage, clientId: string | undefined) => {
    const decision = await limiter.consume(keyOf(addressOf(req), clientId));
    if (!decision.allowed) observe({ type: 'rate_limit.rejected', limiter: 'address', request: req });
    return decision;
  };

  return {
    async admit(req) {
      const named = clientNamedInHead(req);
      if (named !== undefined || !mayNameClientInBody(req, clientFormPaths)) {
        return { decision: await consume(req, named), request: req };
      }
      const body = await readSmallBody(req);
      const clientId = new URLSearchParams(body.toString('utf8')).get('client_id') ?? undefined;
      const decision = await consume(req, clientId);
      return { decision, request: replayWithBody(req, body) };
    },
    admitUnauthenticated: (req) => consume(req, undefined),
  };
}

/** Client ids are chosen by clients: hashing would cost more than bounding them, and keys stay readable. */
const MAX_KEYED_CLIENT_ID_LENGTH = 256;

function keyOf(address: string, clientId: string | undefined): string {
  if (clientId === undefined || clientId === '') return address;
  return `${address} ${clientId.slice(0, MAX_KEYED_CLIENT_ID_LENGTH)}`;
}

/** The client a request names in its query string or its HTTP Basic credentials (RFC 6749 §2.3.1). */
export function clientNamedInHead(req: IncomingMessage): string | undefined {
  const url = req.url ?? '/';
  const queryStart = url.indexOf('?');
  if (queryStart !== -1) {
    const fromQuery = new URLSearchParams(url.slice(queryStart + 1)).get('client_id');
    if (fromQuery !== null && fromQuery !== '') return fromQuery;
  }
  const authorization = req.headers.authorization;
  if (authorization === undefined || !/^basic /i.test(authorization)) return undefined;
  const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  try {
    // RFC 6749 §2.3.1: the client id is form-urlencoded before it is put into Basic credentials.
    return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** A small form POST with a declared length to a client's endpoint: the only bodies worth reading. */
function mayNameClientInBody(req: IncomingMessage, clientFormPaths: ReadonlySet<string>): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url ?? '/';
  const queryStart = url.indexOf('?');
  if (!clientFormPaths.has(queryStart === -1 ? url : url.slice(0, queryStart))) return false;
  const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== FORM_TYPE) return false;
  const declared = Number(req.headers['content-length']);
  return Number.isInteger(declared) && declared > 0 && declared <= FORM_PEEK_LIMIT_BYTES;
}

async function readSmallBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * The request again, its body not yet read, for oidc-provider, which parses
 * bodies from the stream itself. Koa reads only the members copied here.
 */
function replayWithBody(req: IncomingMessage, body: Buffer): IncomingMessage {
  const replay = new Readable({ read() {} });
  replay.push(body);
  replay.push(null);
  const standIn = Object.assign(replay, {
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    method: req.method,
    url: req.url,
    httpVersion: req.httpVersion,
    httpVersionMajor: req.httpVersionMajor,
    httpVersionMinor: req.httpVersionMinor,
    socket: req.socket,
    complete: true,
  }) as unknown as IncomingMessage;
  carryRequestContext(req, standIn);
  return standIn;
}
