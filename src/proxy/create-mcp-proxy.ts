import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import {
  mcpRequestEvent,
  newAdmission,
  runAdmission,
  type Admission,
  type AdmissionSteps,
  type AuthenticateStep,
  type ServerAdmission,
  type SessionOwners,
  type UpstreamTokenSource,
  type Verified,
} from '../admission/index.ts';
import type { McpServerConfig } from '../config/config.ts';
import type { RequestContext } from '../http-kit/request-context.ts';
import type { StandaloneStreams } from '../http-kit/standalone-streams.ts';
import { OAuthError } from '../oauth/oauth-error.ts';
import { ignoreEvents, type Observe } from '../observability/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { sanitizeUrl } from '../shared/logger.ts';
import { forwardWithRefresh } from './forward-with-refresh.ts';
import type { ProxyTracing } from './ports.ts';
import { relayListAnswers } from './relay-list-answers.ts';
import { relayResponse } from './relay-response.ts';
import {
  createUpstreamClient,
  DEFAULT_UPSTREAM_MAX_FREE_SOCKETS,
  DEFAULT_UPSTREAM_MAX_SOCKETS,
} from './upstream-client.ts';
import {
  appendContentLength,
  createRequestHeaderRules,
  dropAcceptEncoding,
  fillUpstreamIdentity,
  readRequestHead,
  type RequestHead,
} from './upstream-request-headers.ts';
import { createUpstreamTarget } from './upstream-target.ts';

export interface McpProxyOptions {
  /** MCP_SERVER_URL (http or https, its query kept) and the public mount path. */
  readonly mcpServer: Pick<McpServerConfig, 'url' | 'path'>;
  /** The server's admission pipeline (src/admission), built by the composition root. */
  readonly admission: ServerAdmission;
  /** For the refresh after the MCP server refused an IdP token. */
  readonly upstreamTokens: UpstreamTokenSource;
  /** The header that carries the account id to the MCP server. */
  readonly userIdHeader: string;
  /** Where a session an `initialize` opened is recorded; the same binding the admission checks. */
  readonly sessionOwners?: SessionOwners | undefined;
  /** Told of each request's outcome (metrics, audit). */
  readonly observe?: Observe | undefined;
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
  handle(req: IncomingMessage, res: ServerResponse, context: RequestContext): Promise<void>;
  /** Refuses new requests, aborts the ones in flight and closes pooled connections. */
  close(): Promise<void>;
}

/** What forwarding adds to an admitted request. */
interface ProxyFields {
  readonly head: RequestHead;
  /** The upstream request in flight, destroyed when the client goes away (UpstreamExchange). */
  request: ClientRequest | undefined;
  /** The MCP server's path and query for this request (map-path). */
  upstreamPath: string | undefined;
  /** When the request went upstream and when its answer's head came back (clock ms). */
  forwardedAtMs: number | undefined;
  firstByteAtMs: number | undefined;
}

type ProxyAdmission = Admission & ProxyFields;

const DEFAULT_USER_AGENT = 'MCP-Auth-Proxy';

/** The pipeline is described in DESIGN.md next to this file. */
export function createMcpProxy(options: McpProxyOptions): McpProxy {
  const { mcpServer, admission, sessionOwners, standaloneStreams, tracing, logger, clock } = options;
  const { replies } = admission;
  const headerRules = createRequestHeaderRules(mcpServer.url.host, options.userIdHeader, tracing?.ownHeaders);
  const target = createUpstreamTarget(mcpServer.path, mcpServer.url);
  const client = createUpstreamClient(mcpServer.url, {
    maxSockets: options.upstreamMaxSockets ?? DEFAULT_UPSTREAM_MAX_SOCKETS,
    maxFreeSockets: DEFAULT_UPSTREAM_MAX_FREE_SOCKETS,
  });
  const upstream = tracing === undefined ? client : tracing.traceUpstream(client);
  const observe = options.observe ?? ignoreEvents;

  /** The subpath and query under the mount, on the MCP server; 404 for anything else. */
  const mapPath: AuthenticateStep<ProxyAdmission> = (request) => {
    request.upstreamPath = target.pathFor(request.context.pathname, request.context.search);
    if (request.upstreamPath !== undefined) return 'next';
    replies.error(request.res, new OAuthError('not_found', 'Nothing is served here.'));
    return 'answered';
  };
  const step = admission.steps;
  const steps: AdmissionSteps<ProxyAdmission> = {
    authenticate: [step.refuseWhileClosing, mapPath, step.readBearer, step.verifyToken, step.requireUpstream],
    admit: [
      step.applyRateLimit,
      step.bindSessionOwner,
      step.resolveUpstreamIdentity,
      step.readBody,
      // Built only for a server with access rules: one without pays nothing here.
      ...(step.applyPolicy === undefined ? [] : [step.applyPolicy]),
      step.applyStepUp,
      step.refuseOnceClosed,
    ],
  };

  /** Swaps the token (no passthrough, MCP authorization §11.8), forwards, and relays the answer. */
  async function forward(request: Verified<ProxyAdmission>): Promise<void> {
    const { req, res, access, head, context } = request;
    const { upstreamToken, upstreamPath, body } = request;
    if (upstreamToken === undefined || upstreamPath === undefined || body === undefined) {
      throw new Error('the admission steps let a request through without its token, path or body');
    }
    fillUpstreamIdentity(head, headerRules, {
      upstreamToken,
      scopes: access.scopes,
      clientId: access.clientId,
      accountId: access.accountId,
      requestId: context.requestId,
      userAgent: head.userAgent ?? DEFAULT_USER_AGENT,
    });
    // A list answer the access rules filter must arrive readable, not compressed.
    if (request.listAnswers !== undefined) dropAcceptEncoding(head);
    appendContentLength(head, body.length);
    // Tool calls and SSE streams may stay silent for minutes; no idle timeout cuts them.
    req.socket.setTimeout(0);
    request.forwardedAtMs = clock.nowMs();
    const outcome = await forwardWithRefresh({
      upstream,
      upstreamTokens: options.upstreamTokens,
      exchange: request,
      requestId: context.requestId,
      method: req.method ?? 'GET',
      path: upstreamPath,
      head,
      body,
      grantId: access.grantId,
      token: upstreamToken,
      logger,
    });
    request.firstByteAtMs = clock.nowMs();
    if (request.aborted) return;
    // Our answer instead, when the refresh-and-retry ended in a challenge or failed.
    if (outcome.kind === 'challenge') return replies.challenge(res, outcome.reason);
    if (outcome.kind === 'error') return replies.error(res, outcome.error);
    await relay(request, outcome.response);
  }

  async function relay(request: Verified<ProxyAdmission>, response: IncomingMessage): Promise<void> {
    const { req, res, access, context } = request;
    const created =
      sessionOwners !== undefined && request.sessionId === undefined
        ? firstValue(response.headers['mcp-session-id'])
        : undefined;
    if (created !== undefined && sessionOwners !== undefined) {
      // An initialize opened a session. Recorded before the client learns its id, so no
      // instance can be asked about it before the record exists.
      response.on('error', () => undefined);
      await sessionOwners.record(created, access.accountId).catch((error: unknown) => {
        logger.warn(
          { event: 'proxy.session_binding_failed', requestId: context.requestId, err: error },
          'proxy.session_binding_failed',
        );
      });
      if (request.aborted) return void response.destroy();
    }
    const streams = req.method === 'GET' ? standaloneStreams : undefined;
    const { userAccess, listAnswers } = request;
    const end =
      userAccess === undefined || listAnswers === undefined
        ? await relayResponse(response, res, streams)
        : await relayListAnswers(response, res, { access: userAccess, answers: listAnswers }, streams);
    if (typeof end === 'object') {
      logger.warn(
        { event: 'proxy.list_answer_unfilterable', requestId: context.requestId, reason: end.unfilterable },
        'proxy.list_answer_unfilterable',
      );
      return replies.error(
        res,
        new OAuthError('bad_gateway', 'The MCP server sent a list the proxy cannot filter.'),
      );
    }
    if (end === 'upstream_broke') {
      logger.warn(
        { event: 'proxy.upstream_stream_broken', requestId: context.requestId, grantId: access.grantId },
        'proxy.upstream_stream_broken',
      );
    }
  }

  /** One `proxy.request` line and one `mcp.request` event when the response closes. */
  function recordOutcome(request: ProxyAdmission): void {
    const { req, res, context } = request;
    const endedMs = clock.nowMs();
    const aborted = !res.writableFinished;
    if (aborted) {
      request.aborted = true;
      request.request?.destroy();
    }
    const { forwardedAtMs, firstByteAtMs } = request;
    const timing = { startedMs: context.startedMs, endedMs, forwardedAtMs, firstByteAtMs };
    observe(mcpRequestEvent(admission.server, req, res, request.body, timing));
    logger.info(
      {
        event: 'proxy.request',
        method: req.method,
        path: sanitizeUrl(req.url ?? ''),
        status: res.headersSent ? res.statusCode : undefined,
        durationMs: endedMs - context.startedMs,
        requestId: context.requestId,
        grantId: request.access?.grantId,
        ...(aborted ? { aborted: true } : {}),
      },
      'proxy.request',
    );
  }

  function admissionOf(req: IncomingMessage, res: ServerResponse, context: RequestContext): ProxyAdmission {
    const head = readRequestHead(req.rawHeaders, headerRules);
    const facts = {
      authorization: head.authorization,
      sessionId: firstValue(req.headers['mcp-session-id']),
      hasBody: head.hasBody,
      declaredLength: head.declaredLength,
    };
    const fields: ProxyFields = {
      head,
      request: undefined,
      upstreamPath: undefined,
      forwardedAtMs: undefined,
      firstByteAtMs: undefined,
    };
    return newAdmission(req, res, context, facts, fields);
  }

  return {
    async handle(req, res, context) {
      const request = admissionOf(req, res, context);
      res.once('close', () => recordOutcome(request));
      try {
        const admitted = await runAdmission(steps, request);
        if (admitted !== undefined) await forward(admitted);
      } catch (error) {
        if (request.aborted) return;
        if (error instanceof OAuthError) return replies.error(res, error);
        logger.error({ event: 'proxy.error', requestId: context.requestId, err: error }, 'proxy.error');
        replies.error(res, new OAuthError('server_error', 'The proxy failed to handle the request.'));
      }
    },

    close() {
      admission.close();
      upstream.close();
      return Promise.resolve();
    },
  };
}

const firstValue = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;
