import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { constants } from 'node:os';
import type { Logger } from '../shared/logger.ts';
import { settlesWithin } from '../shared/settles-within.ts';

export interface GracefulShutdownOptions {
  readonly server: Server;
  /** How long in-flight requests may run on after the first signal. */
  readonly graceMs: number;
  /**
   * Called first: ends the streams that never end by themselves and that clients
   * resume (the MCP endpoint's standalone GET streams), so they hold no grace.
   */
  readonly endStandaloneStreams?: () => void;
  readonly logger: Logger;
  /** Runs once the server is drained: stop the MCP server, close the store, ... */
  readonly onShutdown: () => Promise<void>;
  readonly exit?: (code: number) => void;
  readonly signals?: readonly NodeJS.Signals[];
}

export interface GracefulShutdown {
  /** The handler installed for each signal: the first call drains, a second one exits at once. */
  handleSignal(signal: NodeJS.Signals): void;
  /**
   * Drains and exits with `exitCode` (1 instead of 0 when onShutdown fails).
   * The same promise for every call: also the way to end the proxy for a
   * reason other than a signal (the MCP server exited, with MCP_SERVER_EXIT_WITH_CHILD).
   */
  shutdown(reason: string, exitCode?: number): Promise<void>;
  /** Removes the signal handlers (tests, or handing over to another owner). */
  uninstall(): void;
}

/**
 * Ends the proxy without cutting requests short: stop accepting, close idle
 * keep-alive connections and end the standalone SSE streams at once (MCP
 * clients resume them with Last-Event-ID), let in-flight requests finish up to
 * the grace period, then destroy what is left, then run onShutdown and exit.
 * Heroku sends SIGTERM and SIGKILLs 30 s later, so the grace must stay below that.
 */
export function installGracefulShutdown(options: GracefulShutdownOptions): GracefulShutdown {
  const { server, logger } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const sockets = new Set<Socket>();
  const inFlight = new Set<ServerResponse>();
  let draining: Promise<void> | undefined;

  const trackSocket = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const trackResponse = (_request: IncomingMessage, response: ServerResponse): void => {
    if (draining !== undefined) askToClose(response);
    inFlight.add(response);
    response.once('close', () => {
      inFlight.delete(response);
      // The connection turns idle only after this event; close it then rather than at the deadline.
      if (draining !== undefined) setImmediate(() => server.closeIdleConnections());
    });
  };
  server.on('connection', trackSocket);
  server.on('request', trackResponse);

  async function drainAndExit(reason: string, exitCode: number): Promise<void> {
    logger.info(
      { event: 'server.shutdown_started', reason, graceMs: options.graceMs, openConnections: sockets.size },
      'server.shutdown_started',
    );
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    options.endStandaloneStreams?.();
    for (const response of inFlight) askToClose(response);

    if (!(await settlesWithin(closed, options.graceMs))) {
      logger.warn(
        { event: 'server.shutdown_grace_expired', openConnections: sockets.size },
        'server.shutdown_grace_expired',
      );
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
    }

    let code = exitCode;
    try {
      await options.onShutdown();
      logger.info({ event: 'server.shutdown_complete', reason, exitCode: code }, 'server.shutdown_complete');
    } catch (error) {
      logger.error({ event: 'server.shutdown_failed', err: error }, 'server.shutdown_failed');
      if (code === 0) code = 1;
    }
    exit(code);
  }

  const shutdown = (reason: string, exitCode = 0): Promise<void> =>
    (draining ??= drainAndExit(reason, exitCode));

  const handleSignal = (signal: NodeJS.Signals): void => {
    if (draining === undefined) {
      void shutdown(signal);
      return;
    }
    // The operator insists (a second Ctrl-C): exit now, with the shell's status for that signal.
    const code = 128 + (constants.signals[signal] ?? 0);
    logger.warn({ event: 'server.shutdown_forced', signal, exitCode: code }, 'server.shutdown_forced');
    exit(code);
  };

  for (const signal of signals) process.on(signal, handleSignal);

  return {
    handleSignal,
    shutdown,
    uninstall() {
      for (const signal of signals) process.off(signal, handleSignal);
      server.off('connection', trackSocket);
      server.off('request', trackResponse);
    },
  };
}

/** `Connection: close` (RFC 9112 §9.6) so that a keep-alive client does not reuse a connection we are about to drop. */
function askToClose(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader('connection', 'close');
}
