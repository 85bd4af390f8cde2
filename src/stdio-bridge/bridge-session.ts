import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { McpStdioBridgeConfig } from '../config/config.ts';
import {
  filterListMessage,
  type JsonRpcId,
  type ListMethod,
  type ListRequests,
  type UserAccess,
} from '../policy/index.ts';
import type { StandaloneStreams } from '../http-kit/standalone-streams.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { childEnvironment, type SessionIdentity } from './child-environment.ts';
import { createChildStdioTransport } from './child-stdio-transport.ts';
import { createMessageRouting } from './message-routing.ts';
import type { RegisteredSession, SessionEndReason } from './session-registry.ts';
import { spawnStdioChild } from './spawn-stdio-child.ts';

/** One MCP session: the client's Streamable HTTP side and one child process speaking stdio. */
export interface BridgeSession extends RegisteredSession {
  readonly pid: number;
  /** The MCP session id, once the child has been initialized. */
  readonly sessionId: string | undefined;
  /**
   * Hands one HTTP request of this session to the SDK's Streamable HTTP transport. With `lists`
   * (the access rules' policy step found list requests the user is restricted on), the child's
   * answers to them are filtered on their way to the client.
   */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    parsedBody?: unknown,
    lists?: SessionLists,
  ): Promise<void>;
}

/** What the user may see, and the list requests of one POST whose answers must be filtered. */
export interface SessionLists {
  readonly access: UserAccess;
  readonly requests: ListRequests;
}

export interface BridgeSessionOptions {
  readonly stdio: McpStdioBridgeConfig;
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  readonly identity: SessionIdentity;
  readonly maxBodyBytes: number;
  /** MCP_AUTH_PROXY_SHUTDOWN_GRACE_MS: how long the child may take to stop before SIGKILL. */
  readonly graceMs: number;
  /** Where the session's GET stream is registered, so shutdown can end it; absent = not tracked. */
  readonly standaloneStreams?: StandaloneStreams | undefined;
  /** The SDK has issued the session id (during `initialize`). */
  onInitialized(sessionId: string, session: BridgeSession): void;
  /** Called once, as soon as the session starts to end: its id must be unknown from then on. */
  onEnded(session: BridgeSession, reason: SessionEndReason): void;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Spawns the child and pumps JSON-RPC messages both ways between the two SDK
 * transports, untouched: requests, responses and notifications, in either
 * direction (server→client requests such as sampling included). The protocol
 * itself (initialize, capabilities, ids) stays between the client and the
 * child; the bridge only finds the HTTP stream each message belongs on.
 * Rejects when the child could not be spawned.
 */
export async function openBridgeSession(options: BridgeSessionOptions): Promise<BridgeSession> {
  const { stdio, clock, logger } = options;
  const child = await spawnStdioChild({
    command: stdio.command,
    args: stdio.args,
    cwd: stdio.cwd,
    env: childEnvironment(options.processEnv, stdio, options.identity),
    logger,
  });
  const toChild = createChildStdioTransport(child, options.graceMs);
  const routing = createMessageRouting();
  let sessionId: string | undefined;
  let ending: Promise<void> | undefined;
  let openRequests = 0;
  let lastActivityMs = clock.nowMs();
  /** List requests still awaiting the child's answer, and the access of the user who made them. */
  const awaitedLists = new Map<JsonRpcId, ListMethod>();
  let listAccess: UserAccess | undefined;

  const toClient = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (id) => {
      sessionId = id;
      options.onInitialized(id, session);
    },
    maxRequestBodySize: options.maxBodyBytes,
  });

  const session: BridgeSession = {
    accountId: options.identity.accountId,
    pid: child.process.pid,
    get sessionId() {
      return sessionId;
    },

    async handle(req, res, parsedBody, lists) {
      if (lists !== undefined) {
        listAccess = lists.access;
        for (const [id, method] of lists.requests) awaitedLists.set(id, method);
      }
      openRequests += 1;
      lastActivityMs = clock.nowMs();
      const forget =
        req.method === 'GET'
          ? options.standaloneStreams?.open(() => toClient.closeStandaloneSSEStream())
          : undefined;
      res.once('close', () => {
        forget?.();
        openRequests -= 1;
        lastActivityMs = clock.nowMs();
      });
      // Tool calls and the GET stream may stay silent for minutes; no idle timeout cuts them.
      req.socket.setTimeout(0);
      await toClient.handleRequest(req, res, parsedBody);
    },

    isIdle: (nowMs, idleTimeoutMs) => openRequests === 0 && nowMs - lastActivityMs >= idleTimeoutMs,

    close(reason) {
      ending ??= (async () => {
        options.onEnded(session, reason);
        if (reason !== 'deleted') await answerUnanswered();
        await toClient.close();
        await toChild.close();
      })();
      return ending;
    },

    kill: () => child.process.signalGroup('SIGKILL'),
  };

  /**
   * A request the child will never answer now gets an error at once, instead
   * of leaving the client to wait for its own timeout (JSON-RPC 2.0 §5: every
   * request gets a response; -32603 internal error).
   */
  const answerUnanswered = async (): Promise<void> => {
    await Promise.allSettled(
      routing.unanswered().map((id) =>
        toClient.send({
          jsonrpc: '2.0',
          id,
          error: { code: -32603, message: 'The MCP server process has ended.' },
        }),
      ),
    );
  };

  toClient.onmessage = (message) => {
    routing.fromClient(message);
    toChild.send(message).catch((error: unknown) => {
      logger.debug(
        { event: 'stdio_bridge.child_unreachable', pid: session.pid, err: error },
        'stdio_bridge.child_unreachable',
      );
    });
  };
  /** The child's answer to a list request the user is restricted on, with what they may not use taken out. */
  const filtered = (message: JSONRPCMessage): JSONRPCMessage => {
    if (awaitedLists.size === 0 || listAccess === undefined) return message;
    const result = filterListMessage(message, listAccess, awaitedLists);
    for (const id of result.answered) awaitedLists.delete(id);
    return result.message as JSONRPCMessage;
  };

  toChild.onmessage = (message) => {
    const relatedRequestId = routing.relatedRequestFor(message);
    toClient
      .send(filtered(message), relatedRequestId === undefined ? undefined : { relatedRequestId })
      .catch((error: unknown) => {
        // The client went away (its stream is closed) or never opened a GET stream: nowhere to deliver.
        logger.debug(
          { event: 'stdio_bridge.undeliverable', pid: session.pid, err: error },
          'stdio_bridge.undeliverable',
        );
      });
  };
  // The SDK transport closes itself on DELETE (MCP transports, Streamable HTTP §"Session Management").
  toClient.onclose = () => void session.close('deleted');
  toChild.onclose = () => void session.close('child_exited');
  toClient.onerror = (error) =>
    logger.debug({ event: 'stdio_bridge.client_error', err: error }, 'stdio_bridge.client_error');
  toChild.onerror = (error) =>
    logger.debug(
      { event: 'stdio_bridge.child_error', pid: session.pid, err: error },
      'stdio_bridge.child_error',
    );

  await toClient.start();
  await toChild.start();
  return session;
}
