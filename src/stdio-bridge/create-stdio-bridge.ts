import type { IncomingMessage, ServerResponse } from 'node:http';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { McpStdioBridgeConfig } from '../config/config.ts';
import type { RateLimiter } from '../http-kit/rate-limiter.ts';
import { writeRateLimitHeaders } from '../http-kit/rate-limiter.ts';
import { readRequestBody } from '../http-kit/read-request-body.ts';
import { declaredLengthOf, refuseOversizedBody } from '../http-kit/refuse-oversized-body.ts';
import type { StandaloneStreams } from '../http-kit/standalone-streams.ts';
import { OAuthError } from '../oauth/oauth-error.ts';
import { DependencyUnavailableError } from '../http-kit/dependency-unavailable-error.ts';
import {
  answerUnauthenticated,
  createProxyReplies,
  mcpRequestEvent,
  stepUpChallenged,
  createScopeCheck,
  readBearerCredential,
  requestIdFor,
  type AdmitUnauthenticated,
  type StepUpPolicy,
  type UpstreamTokenSource,
  type VerifiedAccess,
  type VerifyAccessToken,
} from '../proxy/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { openBridgeSession, type BridgeSession } from './bridge-session.ts';
import { writeJsonRpcReply } from './json-rpc-replies.ts';
import { ignoreEvents, type Observe } from '../observability/index.ts';
import { createSessionRegistry } from './session-registry.ts';

export interface StdioBridgeOptions {
  /** The public mount path (MCP_SERVER_PATH); only this exact path is served. */
  readonly path: string;
  readonly stdio: McpStdioBridgeConfig;
  /** BASE_URL, for the absolute resource_metadata URL in challenges. */
  readonly baseUrl: string;
  /** The proxy's environment; children inherit only a few of its variables (child-environment.ts). */
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  readonly maxBodyBytes: number;
  /** How long a child may take to stop (SIGTERM → SIGKILL). */
  readonly shutdownGraceMs: number;
  readonly verifyAccessToken: VerifyAccessToken;
  readonly upstreamTokens: UpstreamTokenSource;
  readonly rateLimiter?: RateLimiter | undefined;
  /** Per address, for requests without a valid token (MAX_REQUESTS); absent = not counted. */
  readonly admitUnauthenticated?: AdmitUnauthenticated | undefined;
  /** Told of each request's outcome, step-up challenges and rate limits (metrics, audit). */
  readonly observe?: Observe | undefined;
  /** The scopes named in the challenge (the PRM `scopes_supported`). */
  readonly scopesSupported: readonly string[];
  /** Step-up: the scopes MCP operations need beyond a valid token; absent = none. */
  readonly stepUp?: StepUpPolicy | undefined;
  /** Where each session's GET stream is registered, so shutdown can end it; absent = not tracked. */
  readonly standaloneStreams?: StandaloneStreams | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Tests only: how often idle sessions are looked for (default derived from the idle timeout). */
  readonly sweepIntervalMs?: number;
}

export interface StdioBridge {
  /** Answers one request under the mount path. Never rejects: every failure becomes a response. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Open sessions (each one child process). */
  sessionCount(): number;
  /** Refuses new requests, ends every session and waits until every child is gone. */
  close(): Promise<void>;
}

const SHUTTING_DOWN = 'The proxy is shutting down.';

/** The request pipeline and the session rules are described in DESIGN.md next to this file. */
export function createStdioBridge(options: StdioBridgeOptions): StdioBridge {
  const { stdio, clock, logger } = options;
  const baseUrl = options.baseUrl.endsWith('/') ? options.baseUrl.slice(0, -1) : options.baseUrl;
  const resourceMetadataUrl = `${baseUrl}/.well-known/oauth-protected-resource${options.path}`;
  const replies = createProxyReplies({ resourceMetadataUrl, scope: options.scopesSupported.join(' ') });
  const checkScopes =
    options.stepUp === undefined
      ? undefined
      : createScopeCheck({ ...options.stepUp, resourceMetadataUrl, logger });
  const registry = createSessionRegistry<BridgeSession>({
    maxSessions: stdio.maxSessions,
    idleTimeoutMs: stdio.idleTimeoutMs,
    clock,
    ...(options.sweepIntervalMs === undefined ? {} : { sweepIntervalMs: options.sweepIntervalMs }),
  });
  let closing: Promise<void> | undefined;
  const observe = options.observe ?? ignoreEvents;

  async function authenticate(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<VerifiedAccess | undefined> {
    const credential = readBearerCredential(firstValue(req.headers.authorization));
    if (credential.kind !== 'token') {
      return void (await answerUnauthenticated(
        req,
        res,
        credential.kind,
        replies,
        options.admitUnauthenticated,
      ));
    }
    const access = await options.verifyAccessToken(credential.token);
    if (access === undefined || access.expiresAtSeconds * 1000 <= clock.nowMs()) {
      return void (await answerUnauthenticated(
        req,
        res,
        'invalid_token',
        replies,
        options.admitUnauthenticated,
      ));
    }
    return access;
  }

  async function bridge(req: IncomingMessage, res: ServerResponse, exchange: Exchange): Promise<void> {
    // A stream opened during shutdown would be ended at once: the client is told to come back instead.
    if (closing !== undefined || (req.method === 'GET' && options.standaloneStreams?.ending === true))
      return replies.error(res, new DependencyUnavailableError('mcp_server', SHUTTING_DOWN));
    const rawUrl = req.url ?? '';
    const queryStart = rawUrl.indexOf('?');
    if ((queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart)) !== options.path) {
      return replies.error(res, new OAuthError('not_found', 'Nothing is served here.'));
    }

    // 1. Authenticate: our own access token, for this resource (MCP authorization §9.2).
    const access = await authenticate(req, res);
    if (access === undefined) return;
    exchange.grantId = access.grantId;
    if (options.rateLimiter !== undefined) {
      const limit = await options.rateLimiter.consume(access.grantId);
      writeRateLimitHeaders(res, limit);
      if (!limit.allowed) {
        observe({ type: 'rate_limit.rejected', limiter: 'grant', request: req });
        return replies.error(
          res,
          new OAuthError('rate_limited', `Too many requests; retry in ${limit.resetSeconds} s.`),
        );
      }
    }

    // 2. An existing session, only for the user who opened it.
    const sessionId = firstValue(req.headers['mcp-session-id']);
    if (sessionId !== undefined) {
      const session = registry.find(sessionId, access.accountId);
      if (session === undefined) return writeJsonRpcReply(res, 'session_not_found');
      exchange.pid = session.pid;
      if (req.method !== 'POST') return await session.handle(req, res);
      // Read here, never by the SDK transport: one body limit, answered as on every endpoint.
      const message = await readMessage(req, res, access, exchange);
      if (message === undefined) return;
      return await session.handle(req, res, message.body);
    }

    // 3. Without a session id, only an `initialize` POST is accepted: it opens a session.
    if (req.method !== 'POST') {
      const known = req.method === 'GET' || req.method === 'DELETE';
      return writeJsonRpcReply(res, known ? 'session_id_required' : 'method_not_allowed');
    }
    const initialize = await readMessage(req, res, access, exchange);
    if (initialize === undefined) return;
    // Spawning costs a process: anything but an initialize request never gets one.
    if (!isInitializeRequest(initialize.body)) return writeJsonRpcReply(res, 'session_id_required');
    await openSession(req, res, access, initialize, exchange);
  }

  /** Reads and parses a POSTed JSON-RPC body, and applies the step-up rules to it; undefined when answered. */
  async function readMessage(
    req: IncomingMessage,
    res: ServerResponse,
    access: VerifiedAccess,
    exchange: Exchange,
  ): Promise<{ body: unknown } | undefined> {
    const { requestId } = exchange;
    const length = declaredLengthOf(req);
    const hasBody = req.headers['transfer-encoding'] !== undefined || length !== undefined;
    const body = await readRequestBody(req, hasBody, length, options.maxBodyBytes);
    if (body.kind === 'aborted') return undefined;
    if (body.kind === 'too_large') return void refuseOversizedBody(req, res, options.maxBodyBytes);
    exchange.body = body.bytes;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.bytes.toString('utf8'));
    } catch {
      return void writeJsonRpcReply(res, 'parse_error');
    }
    const verdict = await checkScopes?.message(parsed, req.headers, access, requestId);
    if (verdict?.kind === 'refused') return void replies.error(res, verdict.error);
    if (verdict?.kind === 'challenge') {
      observe(stepUpChallenged(access, verdict.challenge, req));
      return void replies.scopeChallenge(res, verdict.challenge);
    }
    return { body: parsed };
  }

  async function openSession(
    req: IncomingMessage,
    res: ServerResponse,
    access: VerifiedAccess,
    initialize: { body: unknown },
    exchange: Exchange,
  ): Promise<void> {
    const slot = registry.reserve();
    if (slot === undefined) {
      logger.warn(
        { event: 'stdio_bridge.capacity_reached', maxSessions: stdio.maxSessions },
        'stdio_bridge.capacity_reached',
      );
      return replies.error(
        res,
        new DependencyUnavailableError('mcp_server', 'Too many MCP sessions are open; retry later.'),
      );
    }
    let session: BridgeSession;
    try {
      const upstreamToken = await options.upstreamTokens.current(access.grantId);
      if (upstreamToken === undefined) return replies.challenge(res, 'no_upstream_token');
      session = await openBridgeSession({
        stdio,
        processEnv: options.processEnv,
        identity: { accountId: access.accountId, upstreamToken },
        maxBodyBytes: options.maxBodyBytes,
        graceMs: options.shutdownGraceMs,
        standaloneStreams: options.standaloneStreams,
        onInitialized: (id, opened) => registry.bind(id, opened),
        onEnded: (ended, reason) => {
          registry.forget(ended);
          logger.info(
            { event: 'stdio_bridge.session_ended', reason, pid: ended.pid, grantId: access.grantId },
            'stdio_bridge.session_ended',
          );
        },
        clock,
        logger,
      }).catch((error: unknown) => {
        throw new OAuthError('bad_gateway', 'The MCP server could not be started.', { cause: error });
      });
      slot.fill(session);
    } finally {
      slot.release();
    }
    exchange.pid = session.pid;
    logger.info(
      { event: 'stdio_bridge.session_started', pid: session.pid, grantId: access.grantId },
      'stdio_bridge.session_started',
    );
    await session.handle(req, res, initialize.body);
    // The SDK refused the initialize (e.g. a wrong Accept header): no session, no child.
    if (session.sessionId === undefined) await session.close('not_initialized');
  }

  return {
    async handle(req, res) {
      const startedMs = clock.nowMs();
      const exchange: Exchange = { requestId: requestIdFor(firstValue(req.headers['x-request-id'])) };
      res.once('close', () => {
        const endedMs = clock.nowMs();
        const durationMs = endedMs - startedMs;
        observe(mcpRequestEvent(req, res, exchange.body, { startedMs, endedMs }));
        logger.info(
          {
            event: 'stdio_bridge.request',
            method: req.method,
            status: res.headersSent ? res.statusCode : undefined,
            durationMs,
            requestId: exchange.requestId,
            grantId: exchange.grantId,
            pid: exchange.pid,
            ...(res.writableFinished ? {} : { aborted: true }),
          },
          'stdio_bridge.request',
        );
      });
      try {
        await bridge(req, res, exchange);
      } catch (error) {
        if (error instanceof OAuthError) {
          if (error.code === 'bad_gateway') {
            logger.error(
              { event: 'stdio_bridge.spawn_failed', command: stdio.command, err: error.cause },
              'stdio_bridge.spawn_failed',
            );
          }
          return replies.error(res, error);
        }
        logger.error(
          { event: 'stdio_bridge.error', requestId: exchange.requestId, err: error },
          'stdio_bridge.error',
        );
        replies.error(res, new OAuthError('server_error', 'The proxy failed to handle the request.'));
      }
    },
    sessionCount: () => registry.size(),
    close: () => (closing ??= registry.closeAll()),
  };
}

interface Exchange {
  readonly requestId: string;
  grantId?: string;
  pid?: number;
  /** The POST body once read, for the method label of the request's metric. */
  body?: Buffer;
}

const firstValue = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;
