import type { IncomingMessage, ServerResponse } from 'node:http';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import {
  mcpRequestEvent,
  newAdmission,
  runAdmission,
  type AdmissionSteps,
  type ServerAdmission,
  type Verified,
} from '../admission/index.ts';
import type { McpStdioBridgeConfig } from '../config/config.ts';
import { declaredLengthOf } from '../http-kit/refuse-oversized-body.ts';
import type { RequestContext } from '../http-kit/request-context.ts';
import type { StandaloneStreams } from '../http-kit/standalone-streams.ts';
import { OAuthError } from '../oauth/oauth-error.ts';
import { DependencyUnavailableError } from '../http-kit/dependency-unavailable-error.ts';
import { ignoreEvents, type Observe } from '../observability/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { openBridgeSession, type BridgeSession, type SessionLists } from './bridge-session.ts';
import { exactPath, findSession, parseMessage, type BridgeAdmission } from './bridge-steps.ts';
import { writeJsonRpcReply } from './json-rpc-replies.ts';
import { createSessionRegistry } from './session-registry.ts';

export interface StdioBridgeOptions {
  /** The public mount path (MCP_SERVER_PATH); only this exact path is served. */
  readonly path: string;
  readonly stdio: McpStdioBridgeConfig;
  /** The server's admission pipeline (src/admission), built by the composition root. */
  readonly admission: ServerAdmission;
  /** The proxy's environment; children inherit only a few of its variables (child-environment.ts). */
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  readonly maxBodyBytes: number;
  /** How long a child may take to stop (SIGTERM → SIGKILL). */
  readonly shutdownGraceMs: number;
  /** Told of each request's outcome (metrics, audit). */
  readonly observe?: Observe | undefined;
  /** Where each session's GET stream is registered, so shutdown can end it; absent = not tracked. */
  readonly standaloneStreams?: StandaloneStreams | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Tests only: how often idle sessions are looked for (default derived from the idle timeout). */
  readonly sweepIntervalMs?: number;
}

export interface StdioBridge {
  /** Answers one request under the mount path. Never rejects: every failure becomes a response. */
  handle(req: IncomingMessage, res: ServerResponse, context: RequestContext): Promise<void>;
  /** Open sessions (each one child process). */
  sessionCount(): number;
  /** Refuses new requests, ends every session and waits until every child is gone. */
  close(): Promise<void>;
}

/** The request pipeline and the session rules are described in DESIGN.md next to this file. */
export function createStdioBridge(options: StdioBridgeOptions): StdioBridge {
  const { stdio, admission, clock, logger } = options;
  const { replies } = admission;
  const registry = createSessionRegistry<BridgeSession>({
    maxSessions: stdio.maxSessions,
    idleTimeoutMs: stdio.idleTimeoutMs,
    clock,
    ...(options.sweepIntervalMs === undefined ? {} : { sweepIntervalMs: options.sweepIntervalMs }),
  });
  let closing: Promise<void> | undefined;
  const observe = options.observe ?? ignoreEvents;
  const step = admission.steps;
  const steps: AdmissionSteps<BridgeAdmission> = {
    authenticate: [
      step.refuseWhileClosing,
      exactPath(options.path, replies),
      step.readBearer,
      step.verifyToken,
    ],
    admit: [
      step.applyRateLimit,
      findSession(registry),
      step.readBody,
      parseMessage(),
      // Built only for a server with access rules: one without pays nothing here.
      ...(step.applyPolicy === undefined ? [] : [step.applyPolicy]),
      step.applyStepUp,
    ],
  };

  async function bridge(request: Verified<BridgeAdmission>): Promise<void> {
    const { req, res, session } = request;
    // An existing session, found for the user who opened it.
    if (session !== undefined) {
      return req.method === 'POST'
        ? await session.handle(req, res, request.message, listsOf(request))
        : await session.handle(req, res);
    }
    // Without a session id, only an `initialize` POST is accepted: it opens a session.
    if (req.method !== 'POST') {
      const known = req.method === 'GET' || req.method === 'DELETE';
      return writeJsonRpcReply(res, known ? 'session_id_required' : 'method_not_allowed');
    }
    // Spawning costs a process: anything but an initialize request never gets one.
    if (!isInitializeRequest(request.message)) return writeJsonRpcReply(res, 'session_id_required');
    await openSession(request);
  }

  async function openSession(request: Verified<BridgeAdmission>): Promise<void> {
    const { req, res, access } = request;
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
      // The child's environment holds the user's IdP token: resolved only now, for a session that opens.
      if ((await step.resolveUpstreamIdentity.decide(request)) === 'answered') return;
      session = await spawnSession(request);
      slot.fill(session);
    } finally {
      slot.release();
    }
    request.pid = session.pid;
    logger.info(
      { event: 'stdio_bridge.session_started', pid: session.pid, grantId: access.grantId },
      'stdio_bridge.session_started',
    );
    await session.handle(req, res, request.message, listsOf(request));
    // The SDK refused the initialize (e.g. a wrong Accept header): no session, no child.
    if (session.sessionId === undefined) await session.close('not_initialized');
  }

  function spawnSession(request: Verified<BridgeAdmission>): Promise<BridgeSession> {
    const { access, upstreamToken } = request;
    if (upstreamToken === undefined) throw new Error('a session opens only with the upstream identity');
    return openBridgeSession({
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
  }

  /** One `stdio_bridge.request` line and one `mcp.request` event when the response closes. */
  function recordOutcome(request: BridgeAdmission): void {
    const { req, res, context } = request;
    const endedMs = clock.nowMs();
    observe(
      mcpRequestEvent(admission.server, req, res, request.body, { startedMs: context.startedMs, endedMs }),
    );
    logger.info(
      {
        event: 'stdio_bridge.request',
        method: req.method,
        status: res.headersSent ? res.statusCode : undefined,
        durationMs: endedMs - context.startedMs,
        requestId: context.requestId,
        grantId: request.access?.grantId,
        pid: request.pid,
        ...(res.writableFinished ? {} : { aborted: true }),
      },
      'stdio_bridge.request',
    );
  }

  function admissionOf(req: IncomingMessage, res: ServerResponse, context: RequestContext): BridgeAdmission {
    // Only a POST's body is read, by the bridge: the SDK transport reads none.
    const isPost = req.method === 'POST';
    const declaredLength = isPost ? declaredLengthOf(req) : undefined;
    const facts = {
      authorization: firstValue(req.headers.authorization),
      sessionId: firstValue(req.headers['mcp-session-id']),
      hasBody: isPost && (req.headers['transfer-encoding'] !== undefined || declaredLength !== undefined),
      declaredLength,
    };
    return newAdmission(req, res, context, facts, { session: undefined, pid: undefined });
  }

  function answerFailure(request: BridgeAdmission, error: unknown): void {
    if (error instanceof OAuthError) {
      if (error.code === 'bad_gateway') {
        logger.error(
          { event: 'stdio_bridge.spawn_failed', command: stdio.command, err: error.cause },
          'stdio_bridge.spawn_failed',
        );
      }
      return replies.error(request.res, error);
    }
    logger.error(
      { event: 'stdio_bridge.error', requestId: request.context.requestId, err: error },
      'stdio_bridge.error',
    );
    replies.error(request.res, new OAuthError('server_error', 'The proxy failed to handle the request.'));
  }

  return {
    async handle(req, res, context) {
      const request = admissionOf(req, res, context);
      res.once('close', () => recordOutcome(request));
      try {
        const admitted = await runAdmission(steps, request);
        if (admitted !== undefined) await bridge(admitted);
      } catch (error) {
        answerFailure(request, error);
      }
    },
    sessionCount: () => registry.size(),
    close: () => {
      admission.close();
      return (closing ??= registry.closeAll());
    },
  };
}

/** The list requests of a POST whose answers the access rules filter (apply-policy); undefined: none. */
function listsOf(request: Verified<BridgeAdmission>): SessionLists | undefined {
  const { userAccess, listAnswers } = request;
  // 'any' is for a resumed HTTP stream; the bridge keeps no event store, so it never resumes one.
  if (userAccess === undefined || listAnswers === undefined || listAnswers === 'any') return undefined;
  return { access: userAccess, requests: listAnswers };
}

const firstValue = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;
