import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServerConfig } from '../config/config.ts';
import type { RateLimiter } from '../http-kit/rate-limiter.ts';
import { writeRateLimitHeaders } from '../http-kit/rate-limiter.ts';
import { readRequestBody } from '../http-kit/read-request-body.ts';
import { refuseOversizedBody } from '../http-kit/refuse-oversized-body.ts';
import type { StandaloneStreams } from '../http-kit/standalone-streams.ts';
import { OAuthError } from '../oauth/oauth-error.ts';
import { DependencyUnavailableError } from '../http-kit/dependency-unavailable-error.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { sanitizeUrl } from '../shared/logger.ts';
import { readBearerCredential } from './bearer-credential.ts';
import { answerUnauthenticated } from './answer-unauthenticated.ts';
import { mcpRequestEvent } from './mcp-request-event.ts';
import { stepUpChallenged } from './step-up-challenged.ts';
import { ignoreEvents, type Observe } from '../observability/index.ts';
import type {
  AdmitUnauthenticated,
  IsUpstreamAvailable,
  ProxyTracing,
  SessionOwners,
  StepUpPolicy,
  UpstreamTokenSource,
  VerifyAccessToken,
} from './ports.ts';
import { createProxyReplies } from './proxy-replies.ts';
import { relayResponse } from './relay-response.ts';
import { requestIdFor } from './request-id.ts';
import { createScopeCheck } from './scope-check.ts';
import type { UpstreamExchange } from './upstream-client.ts';
import {
  createUpstreamClient,
  DEFAULT_UPSTREAM_MAX_FREE_SOCKETS,
  DEFAULT_UPSTREAM_MAX_SOCKETS,
} from './upstream-client.ts';
import { forwardWithRefresh } from './forward-with-refresh.ts';
import {
  appendContentLength,
  createRequestHeaderRules,
  fillUpstreamIdentity,
  readRequestHead,
} from './upstream-request-headers.ts';
import { createUpstreamTarget } from './upstream-target.ts';

export interface McpProxyOptions {
  /** MCP_SERVER_URL (http or https, its query kept) and the public mount path. */
  readonly mcpServer: Pick<McpServerConfig, 'url' | 'path'>;
  /** BASE_URL, for the absolute resource_metadata URL in challenges. */
  readonly baseUrl: string;
  readonly maxBodyBytes: number;
  /** The header that carries the account id to the MCP server. */
  readonly userIdHeader: string;
  readonly verifyAccessToken: VerifyAccessToken;
  readonly upstreamTokens: UpstreamTokenSource;
  /** Per grant; absent = no limit on the MCP endpoint. */
  readonly rateLimiter?: RateLimiter | undefined;
  /** Per address, for requests without a valid token (MAX_REQUESTS); absent = not counted. */
  readonly admitUnauthenticated?: AdmitUnauthenticated | undefined;
  /** Told of each request's outcome, step-up challenges, refused sessions and rate limits (metrics, audit). */
  readonly observe?: Observe | undefined;
  /** The supervisor's view of the MCP server; absent = always try. */
  readonly isUpstreamAvailable?: IsUpstreamAvailable | undefined;
  /** Session → user binding (Security Best Practices); absent = sessions are the MCP server's business. */
  readonly sessionOwners?: SessionOwners | undefined;
  /** The scopes named in the challenge: the PRM `scopes_supported` (without offline_access, MCP [26] §10). */
  readonly scopesSupported: readonly string[];
  /** Step-up: the scopes MCP operations need beyond a valid token; absent = none (bodies are never parsed). */
  readonly stepUp?: StepUpPolicy | undefined;
  /** Where open GET (standalone SSE) streams are registered, so shutdown can end them; absent = not tracked. */
  readonly standaloneStreams?: StandaloneStreams | undefined;
  /** Spans for the exchange and `traceparent` for the MCP server; absent = not traced. */
  readonly tracing?: ProxyTracing | undefined;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly upstreamMaxSockets?: number | undefined;
}

export interface McpProxy {
  /** Answers one request under the mount path. Never rejects: every failure becomes a response. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Refuses new requests, aborts the ones in flight and closes pooled connections. */
  close(): Promise<void>;
}

const DEFAULT_USER_AGENT = 'MCP-Auth-Proxy';

/** The pipeline is described in DESIGN.md next to this file. */
export function createMcpProxy(options: McpProxyOptions): McpProxy {
  const {
    mcpServer,
    maxBodyBytes,
    verifyAccessToken,
    upstreamTokens,
    rateLimiter,
    sessionOwners,
    standaloneStreams,
    tracing,
    logger,
    clock,
  } = options;
  const baseUrl = options.baseUrl.endsWith('/') ? options.baseUrl.slice(0, -1) : options.baseUrl;
  const resourceMetadataUrl = `${baseUrl}/.well-known/oauth-protected-resource${mcpServer.path === '/' ? '' : mcpServer.path}`;
  const replies = createProxyReplies({ resourceMetadataUrl, scope: options.scopesSupported.join(' ') });
  const checkScopes =
    options.stepUp === undefined
      ? undefined
      : createScopeCheck({ ...options.stepUp, resourceMetadataUrl, logger });
  const headerRules = createRequestHeaderRules(mcpServer.url.host, options.userIdHeader, tracing?.ownHeaders);
  const target = createUpstreamTarget(mcpServer.path, mcpServer.url);
  const client = createUpstreamClient(mcpServer.url, {
    maxSockets: options.upstreamMaxSockets ?? DEFAULT_UPSTREAM_MAX_SOCKETS,
    maxFreeSockets: DEFAULT_UPSTREAM_MAX_FREE_SOCKETS,
  });
  const upstream = tracing === undefined ? client : tracing.traceUpstream(client);
  const isUpstreamAvailable = options.isUpstreamAvailable ?? (() => true);
  const observe = options.observe ?? ignoreEvents;
  let closed = false;

  async function proxy(req: IncomingMessage, res: ServerResponse, exchange: Exchange): Promise<void> {
    const isGet = req.method === 'GET';
    // A stream opened during shutdown would be ended at once: the client is told to come back instead.
    if (closed || (isGet && standaloneStreams?.ending === true))
      return replies.error(res, new DependencyUnavailableError('mcp_server', 'The proxy is shutting down.'));
    const upstreamPath = target.pathFor(req.url ?? '');
    if (upstreamPath === undefined)
      return replies.error(res, new OAuthError('not_found', 'Nothing is served here.'));

    // 1. Authenticate: our own access token, for this resource (MCP authorization §9.2).
    const head = readRequestHead(req.rawHeaders, headerRules);
    const credential = readBearerCredential(head.authorization);
    if (credential.kind !== 'token') {
      return answerUnauthenticated(req, res, credential.kind, replies, options.admitUnauthenticated);
    }
    const access = await verifyAccessToken(credential.token);
    if (access === undefined || access.expiresAtSeconds * 1000 <= clock.nowMs()) {
      return answerUnauthenticated(req, res, 'invalid_token', replies, options.admitUnauthenticated);
    }
    exchange.grantId = access.grantId;
    if (!isUpstreamAvailable()) {
      return replies.error(
        res,
        new DependencyUnavailableError('mcp_server', 'The MCP server is not running.'),
      );
    }

    // 2. Rate limit, upstream token, session owner and body in parallel: one store round trip, not four.
    const decision = rateLimiter?.consume(access.grantId);
    const sessionId = sessionOwners === undefined ? undefined : firstValue(req.headers['mcp-session-id']);
    const owner =
      sessionId === undefined || sessionOwners === undefined
        ? undefined
        : settle(sessionOwners.ownerOf(sessionId));
    const upstreamToken = settle(upstreamTokens.current(access.grantId));
    const body = readRequestBody(req, head.hasBody, head.declaredLength, maxBodyBytes);
    if (decision !== undefined) {
      const limit = await decision;
      writeRateLimitHeaders(res, limit);
      if (!limit.allowed) {
        observe({ type: 'rate_limit.rejected', limiter: 'grant', request: req });
        return replies.error(
          res,
          new OAuthError('rate_limited', `Too many requests; retry in ${limit.resetSeconds} s.`),
        );
      }
    }
    if (owner !== undefined) {
      // Another user's session looks exactly like an unknown one: it is never forwarded,
      // and its existence is never revealed (Security Best Practices, session hijacking).
      const found = await owner;
      if (found.error !== undefined) throw found.error;
      if (found.value !== undefined && found.value !== access.accountId) {
        logger.warn(
          { event: 'proxy.session_owner_mismatch', requestId: exchange.requestId, grantId: access.grantId },
          'proxy.session_owner_mismatch',
        );
        observe({
          type: 'session.foreign_user',
          grantId: access.grantId,
          accountId: access.accountId,
          clientId: access.clientId,
          request: req,
        });
        return replies.sessionNotFound(res);
      }
    }
    const token = await upstreamToken;
    if (token.error !== undefined) throw token.error;
    if (token.value === undefined) return replies.challenge(res, 'no_upstream_token');
    const bytes = await body;
    if (bytes.kind === 'aborted' || exchange.aborted) return;
    if (bytes.kind === 'complete') exchange.body = bytes.bytes;
    if (bytes.kind === 'too_large') return refuseOversizedBody(req, res, maxBodyBytes);
    tracing?.describeRequest(bytes.bytes, req.headers);
    if (checkScopes !== undefined && req.method === 'POST' && bytes.bytes.length > 0) {
      const verdict = await checkScopes.body(bytes.bytes, req.headers, access, exchange.requestId);
      if (exchange.aborted) return;
      if (verdict?.kind === 'refused') return replies.error(res, verdict.error);
      if (verdict?.kind === 'challenge') {
        observe(stepUpChallenged(access, verdict.challenge, req));
        return replies.scopeChallenge(res, verdict.challenge);
      }
    }
    if (closed)
      return replies.error(res, new DependencyUnavailableError('mcp_server', 'The proxy is shutting down.'));

    // 3. Swap the token (no passthrough, MCP authorization §11.8) and forward.
    fillUpstreamIdentity(head, headerRules, {
      upstreamToken: token.value,
      scopes: access.scopes,
      clientId: access.clientId,
      accountId: access.accountId,
      requestId: exchange.requestId,
      userAgent: head.userAgent ?? DEFAULT_USER_AGENT,
    });
    appendContentLength(head, bytes.bytes.length);
    // Tool calls and SSE streams may stay silent for minutes; no idle timeout cuts them.
    req.socket.setTimeout(0);
    exchange.forwardedAtMs = clock.nowMs();
    const outcome = await forwardWithRefresh({
      upstream,
      upstreamTokens,
      exchange,
      requestId: exchange.requestId,
      method: req.method ?? 'GET',
      path: upstreamPath,
      head,
      body: bytes.bytes,
      grantId: access.grantId,
      token: token.value,
      logger,
    });
    exchange.firstByteAtMs = clock.nowMs();
    if (exchange.aborted) return;

    // 4. Relay the answer, or ours when the refresh-and-retry ended in a challenge.
    switch (outcome.kind) {
      case 'response': {
        const created =
          sessionOwners !== undefined && sessionId === undefined
            ? firstValue(outcome.response.headers['mcp-session-id'])
            : undefined;
        if (created !== undefined && sessionOwners !== undefined) {
          // An initialize opened a session. Recorded before the client learns its id, so no
          // instance can be asked about it before the record exists.
          outcome.response.on('error', () => undefined);
          await sessionOwners.record(created, access.accountId).catch((error: unknown) => {
            logger.warn(
              { event: 'proxy.session_binding_failed', requestId: exchange.requestId, err: error },
              'proxy.session_binding_failed',
            );
          });
          if (exchange.aborted) return void outcome.response.destroy();
        }
        const end = await relayResponse(outcome.response, res, isGet ? standaloneStreams : undefined);
        if (end === 'upstream_broke') {
          logger.warn(
            { event: 'proxy.upstream_stream_broken', requestId: exchange.requestId, grantId: access.grantId },
            'proxy.upstream_stream_broken',
          );
        }
        return;
      }
      case 'challenge':
        return replies.challenge(res, outcome.reason);
      case 'error':
        return replies.error(res, outcome.error);
    }
  }

  return {
    async handle(req, res) {
      const startedMs = clock.nowMs();
      const exchange: Exchange = {
        request: undefined,
        aborted: false,
        requestId: requestIdFor(firstValue(req.headers['x-request-id'])),
        grantId: undefined,
        body: undefined,
        forwardedAtMs: undefined,
        firstByteAtMs: undefined,
      };
      res.once('close', () => {
        const endedMs = clock.nowMs();
        const aborted = !res.writableFinished;
        if (aborted) {
          exchange.aborted = true;
          exchange.request?.destroy();
        }
        observe(mcpRequestEvent(req, res, exchange.body, { ...exchange, startedMs, endedMs }));
        logger.info(
          {
            event: 'proxy.request',
            method: req.method,
            path: sanitizeUrl(req.url ?? ''),
            status: res.headersSent ? res.statusCode : undefined,
            durationMs: endedMs - startedMs,
            requestId: exchange.requestId,
            grantId: exchange.grantId,
            ...(aborted ? { aborted: true } : {}),
          },
          'proxy.request',
        );
      });
      try {
        await proxy(req, res, exchange);
      } catch (error) {
        if (exchange.aborted) return;
        if (error instanceof OAuthError) return replies.error(res, error);
        logger.error({ event: 'proxy.error', requestId: exchange.requestId, err: error }, 'proxy.error');
        replies.error(res, new OAuthError('server_error', 'The proxy failed to handle the request.'));
      }
    },

    close() {
      closed = true;
      upstream.close();
      return Promise.resolve();
    },
  };
}

interface Exchange extends UpstreamExchange {
  readonly requestId: string;
  grantId: string | undefined;
  /** The request body once read, for the method label of the request's metric. */
  body: Buffer | undefined;
  /** When the request went upstream and when its answer's head came back (clock ms). */
  forwardedAtMs: number | undefined;
  firstByteAtMs: number | undefined;
}

type Settled<T> = { value: T; error?: undefined } | { value?: undefined; error: Error };

/** Holds a rejection until it is awaited, so it is never reported as unhandled meanwhile. */
const settle = <T>(promise: Promise<T>): Promise<Settled<T>> =>
  promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error: error instanceof Error ? error : new Error(String(error)) }),
  );

const firstValue = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;
