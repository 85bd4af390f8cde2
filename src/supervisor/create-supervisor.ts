import type { Tracer } from '@opentelemetry/api';
import type { McpServerRunConfig } from '../config/config.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { ignoreEvents, type Observe } from '../observability/index.ts';
import { exitCodeOf, type ProcessExit } from './exit-code.ts';
import { exitAttributes, lifecycleSpans, type LifecycleSpan } from './lifecycle-spans.ts';
import { McpServerStartError, type McpServerStartFailure } from './mcp-server-start-error.ts';
import { acceptsConnections, portAddressOf, waitForPort } from './probe-port.ts';
import { createRestartBackoff, DEFAULT_RESTART_BACKOFF } from './restart-backoff.ts';
import { spawnChild, type SupervisedChild } from './spawn-child.ts';
import { terminateChild } from './terminate-child.ts';

const PROBE_INTERVAL_MS = 100;

/** See DESIGN.md for the transitions. */
export type SupervisorState = 'idle' | 'starting' | 'ready' | 'restarting' | 'stopping' | 'stopped';

export interface SupervisorOptions {
  readonly run: McpServerRunConfig;
  /** The proxy's own environment; `run.env` is merged over it. The supervisor never reads process.env. */
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  /** MCP_SERVER_URL: its host and port are probed with TCP connects to detect readiness. */
  readonly probeUrl: URL;
  readonly logger: Logger;
  /** Measures uptime, which decides when the restart backoff starts over. */
  readonly clock?: Clock;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number; readonly resetAfterMs?: number };
  /** With `run.exitWithChild`: called once with the child's exit status (128 + n for signal n). */
  readonly onExit?: (exitCode: number) => void;
  readonly probeIntervalMs?: number;
  /** Told when the child is up, exits or is stopped, and whether a start is a restart (metrics). */
  readonly observe?: Observe | undefined;
  /** Spans for start, restart and stop (lifecycle-spans.ts); absent when tracing is off. */
  readonly tracer?: Tracer | undefined;
}

export interface Supervisor {
  /** Spawns the server and resolves once it accepts TCP connections; rejects with McpServerStartError. */
  start(): Promise<void>;
  /** True only while a child is up and was probed ready. */
  isRunning(): boolean;
  /** SIGTERM to the child's group, SIGKILL after `graceMs`; resolves when it is gone. Idempotent. */
  stop(graceMs: number): Promise<void>;
  state(): SupervisorState;
  /** The current child's pid, if one is running. */
  pid(): number | undefined;
}

export function createSupervisor(options: SupervisorOptions): Supervisor {
  const { run, logger } = options;
  const clock = options.clock ?? systemClock;
  const observe = options.observe ?? ignoreEvents;
  const address = portAddressOf(options.probeUrl);
  const backoff = createRestartBackoff({ ...DEFAULT_RESTART_BACKOFF, ...options.backoff });
  const stopRequested = new AbortController();
  const beginSpan = lifecycleSpans(options.tracer, run.command);
  let state: SupervisorState = 'idle';
  let current: SupervisedChild | undefined;
  let launching: Promise<SupervisedChild> | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let startPromise: Promise<void> | undefined;
  let stopPromise: Promise<void> | undefined;

  const startError = (
    reason: McpServerStartFailure,
    extra: { stderrTail?: readonly string[]; exit?: ProcessExit; cause?: unknown } = {},
  ): McpServerStartError =>
    new McpServerStartError({
      reason,
      command: run.command,
      address,
      timeoutMs: run.startTimeoutMs,
      ...extra,
    });

  /** Spawns one child and waits for its port; on failure the child is gone before this rejects. */
  async function launch(span: LifecycleSpan): Promise<SupervisedChild> {
    let child: SupervisedChild;
    try {
      child = await spawnChild({ run, baseEnv: options.baseEnv, logger });
    } catch (error) {
      throw startError('spawn-failed', { cause: error });
    }
    current = child;
    span.event('mcp_server.spawned', { 'process.pid': child.pid });
    logger.info(
      { event: 'supervisor.child_spawned', pid: child.pid, command: run.command },
      'supervisor.child_spawned',
    );
    if (stopRequested.signal.aborted) {
      await terminateChild(child, 0);
      throw startError('stopped');
    }

    const probe = new AbortController();
    const abortOnStop = (): void => probe.abort('stopped');
    stopRequested.signal.addEventListener('abort', abortOnStop, { once: true });
    const timer = setTimeout(() => probe.abort('timeout'), run.startTimeoutMs);
    void child.exited.then(() => probe.abort('exited'));
    try {
      await waitForPort(address, {
        intervalMs: options.probeIntervalMs ?? PROBE_INTERVAL_MS,
        signal: probe.signal,
      });
      return child;
    } catch {
      const reason = probe.signal.reason as 'timeout' | 'exited' | 'stopped';
      // On 'stopped', stop() is already ending the child with its grace period.
      const exit = reason === 'stopped' ? await child.exited : await terminateChild(child, 0);
      if (current === child) current = undefined;
      throw startError(reason, { exit, stderrTail: child.stderrTail() });
    } finally {
      clearTimeout(timer);
      stopRequested.signal.removeEventListener('abort', abortOnStop);
    }
  }

  function markReady(child: SupervisedChild): void {
    state = 'ready';
    const readyAtMs = clock.nowMs();
    void child.exited
      .then((exit) => onUnexpectedExit(child, exit, clock.nowMs() - readyAtMs))
      .catch((error: unknown) =>
        logger.error(
          { event: 'supervisor.exit_handling_failed', err: error },
          'supervisor.exit_handling_failed',
        ),
      );
  }

  async function onUnexpectedExit(
    child: SupervisedChild,
    exit: ProcessExit,
    uptimeMs: number,
  ): Promise<void> {
    if (stopRequested.signal.aborted) return;
    state = 'restarting';
    // Reap what it left behind in its group (they may hold the port) and drain its output.
    await terminateChild(child, 0);
    if (current === child) current = undefined;
    logger.warn(
      { event: 'supervisor.child_exited', pid: child.pid, code: exit.code, signal: exit.signal, uptimeMs },
      'supervisor.child_exited',
    );
    observe({ type: 'supervisor.child', state: 'exited', restart: false });
    const span = beginSpan('mcp_server.restart');
    span.event('mcp_server.exited', { 'process.pid': child.pid, ...exitAttributes(exit) });
    if (stopRequested.signal.aborted) return span.end();
    if (run.exitWithChild) {
      span.end();
      state = 'stopped';
      options.onExit?.(exitCodeOf(exit));
      return;
    }
    scheduleRestart(uptimeMs, span);
  }

  function scheduleRestart(uptimeMs: number, span: LifecycleSpan): void {
    const { delayMs, attempt } = backoff.next(uptimeMs);
    logger.info(
      { event: 'supervisor.child_restart_scheduled', delayMs, attempt },
      'supervisor.child_restart_scheduled',
    );
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      launching = launch(span);
      launching.then(
        (child) => {
          if (stopRequested.signal.aborted) return span.end(); // stop() ends `current`
          markReady(child);
          span.event('mcp_server.ready');
          span.end();
          logger.info(
            { event: 'supervisor.child_restarted', pid: child.pid, attempt },
            'supervisor.child_restarted',
          );
          observe({ type: 'supervisor.child', state: 'running', restart: true });
        },
        (error: unknown) => {
          span.end(error instanceof McpServerStartError ? error.reason : 'error');
          if (stopRequested.signal.aborted) return;
          logger.error(
            { event: 'supervisor.child_restart_failed', err: error, attempt },
            'supervisor.child_restart_failed',
          );
          scheduleRestart(0, beginSpan('mcp_server.restart'));
        },
      );
    }, delayMs);
  }

  async function startOnce(): Promise<void> {
    if (stopRequested.signal.aborted) throw startError('stopped');
    state = 'starting';
    const startedAtMs = clock.nowMs();
    // Otherwise the probe would succeed against the squatter and we would call a stranger ready.
    if (await acceptsConnections(address)) {
      state = 'stopped';
      throw startError('port-in-use');
    }
    // stop() during the probe above found no launch to wait for: do not begin one now.
    if (stopRequested.signal.aborted) throw startError('stopped');
    const span = beginSpan('mcp_server.start');
    launching = launch(span);
    let child: SupervisedChild;
    try {
      child = await launching;
    } catch (error) {
      span.end(error instanceof McpServerStartError ? error.reason : 'error');
      // The caller reports the error (it decides whether the proxy exits).
      if (!stopRequested.signal.aborted) state = 'stopped';
      throw error;
    }
    if (stopRequested.signal.aborted) {
      span.end('stopped');
      throw startError('stopped');
    }
    markReady(child);
    span.event('mcp_server.ready');
    span.end();
    logger.info(
      { event: 'supervisor.child_ready', pid: child.pid, startupMs: clock.nowMs() - startedAtMs },
      'supervisor.child_ready',
    );
    observe({ type: 'supervisor.child', state: 'running', restart: false });
  }

  async function stopOnce(graceMs: number): Promise<void> {
    stopRequested.abort();
    state = 'stopping';
    clearTimeout(restartTimer);
    const child = current;
    if (child) {
      const span = beginSpan('mcp_server.stop');
      const exit = await terminateChild(child, graceMs);
      span.event('mcp_server.exited', { 'process.pid': child.pid, ...exitAttributes(exit) });
      span.end();
      logger.info(
        { event: 'supervisor.child_stopped', pid: child.pid, code: exit.code, signal: exit.signal },
        'supervisor.child_stopped',
      );
      observe({ type: 'supervisor.child', state: 'stopped', restart: false });
    }
    // A launch in flight sees the stop request and ends the child it spawned.
    await launching?.catch(() => undefined);
    current = undefined;
    state = 'stopped';
  }

  return {
    start: () => (startPromise ??= startOnce()),
    isRunning: () => state === 'ready',
    stop: (graceMs) => (stopPromise ??= stopOnce(graceMs)),
    state: () => state,
    pid: () => current?.pid,
  };
}
