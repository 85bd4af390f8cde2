import type { Clock } from '../shared/clock.ts';

/** Why a session ended, as logged. */
export type SessionEndReason = 'deleted' | 'idle' | 'child_exited' | 'shutdown' | 'not_initialized';

/** What the registry needs from a session. */
export interface RegisteredSession {
  /** The account (the grant's accountId) that opened the session; only it may use the session. */
  readonly accountId: string;
  /** True when no request is open and the last one ended at least `idleTimeoutMs` before `nowMs`. */
  isIdle(nowMs: number, idleTimeoutMs: number): boolean;
  close(reason: SessionEndReason): Promise<void>;
  /** Last resort at process exit: SIGKILL at once, synchronously. */
  kill(): void;
}

/** A place held for a session while its process starts. */
export interface SessionSlot {
  /** The session now occupies the slot (it counts until `forget`). */
  fill(session: RegisteredSession): void;
  /** Gives the place back unless it was filled; safe to call more than once. */
  release(): void;
}

export interface SessionRegistry<S extends RegisteredSession> {
  /** A place for one more session, or undefined at the cap (→ 503). */
  reserve(): SessionSlot | undefined;
  /** Makes an open session reachable by its MCP session id. */
  bind(sessionId: string, session: S): void;
  /** The session, only for the account that opened it: anyone else sees no session at all. */
  find(sessionId: string, accountId: string): S | undefined;
  /** Removes an ended session; its id is unknown from now on. */
  forget(session: RegisteredSession): void;
  /** Open sessions, plus places held for sessions being started. */
  size(): number;
  /** Ends every idle session (called by the sweep timer; tests call it with their clock). */
  sweepIdle(): void;
  /** Stops the sweep, ends every session and waits for their processes to be gone. */
  closeAll(): Promise<void>;
}

export interface SessionRegistryOptions {
  readonly maxSessions: number;
  readonly idleTimeoutMs: number;
  readonly clock: Clock;
  /** How often idle sessions are looked for; default derived from the timeout. 0 = never (tests sweep themselves). */
  readonly sweepIntervalMs?: number;
}

const MAX_SWEEP_INTERVAL_MS = 60_000;
const MIN_SWEEP_INTERVAL_MS = 50;

/**
 * The stdio bridge's sessions, in this process's memory: a session is one
 * child process, which cannot move to another instance (deploy.md: sticky
 * sessions when several instances serve one MCP endpoint).
 */
export function createSessionRegistry<S extends RegisteredSession>(
  options: SessionRegistryOptions,
): SessionRegistry<S> {
  const { maxSessions, idleTimeoutMs, clock } = options;
  const live = new Set<RegisteredSession>();
  const byId = new Map<string, S>();
  const ids = new Map<RegisteredSession, string>();
  const closing = new Set<Promise<void>>();
  let reserved = 0;
  let closed = false;
  let reservationsSettled: (() => void) | undefined;

  const settleReservation = (): void => {
    reserved -= 1;
    if (reserved === 0) reservationsSettled?.();
  };

  const end = (session: RegisteredSession, reason: SessionEndReason): void => {
    const done = session.close(reason).finally(() => closing.delete(done));
    closing.add(done);
  };

  const registry: SessionRegistry<S> = {
    reserve() {
      if (closed || live.size + reserved >= maxSessions) return undefined;
      reserved += 1;
      let held = true;
      return {
        fill(session) {
          if (!held) return;
          held = false;
          live.add(session);
          settleReservation();
        },
        release() {
          if (!held) return;
          held = false;
          settleReservation();
        },
      };
    },
    bind(sessionId, session) {
      if (!live.has(session)) return;
      byId.set(sessionId, session);
      ids.set(session, sessionId);
    },
    find(sessionId, accountId) {
      const session = byId.get(sessionId);
      return session?.accountId === accountId ? session : undefined;
    },
    forget(session) {
      live.delete(session);
      const sessionId = ids.get(session);
      if (sessionId === undefined) return;
      ids.delete(session);
      byId.delete(sessionId);
    },
    size: () => live.size + reserved,
    sweepIdle() {
      const nowMs = clock.nowMs();
      for (const session of live) {
        if (session.isIdle(nowMs, idleTimeoutMs)) end(session, 'idle');
      }
    },
    async closeAll() {
      closed = true;
      if (sweep !== undefined) clearInterval(sweep);
      // A process being started right now is ended too, once it is in `live`.
      if (reserved > 0) await new Promise<void>((resolve) => (reservationsSettled = resolve));
      for (const session of live) end(session, 'shutdown');
      await Promise.all([...closing]);
      process.off('exit', killAll);
    },
  };

  // If the proxy exits without closing us (process.exit, an uncaught exception),
  // 'exit' handlers run synchronously: only kill() is possible, and no child is orphaned.
  const killAll = (): void => {
    for (const session of live) session.kill();
  };
  process.on('exit', killAll);

  const sweepIntervalMs =
    options.sweepIntervalMs ??
    Math.min(MAX_SWEEP_INTERVAL_MS, Math.max(MIN_SWEEP_INTERVAL_MS, Math.floor(idleTimeoutMs / 4)));
  // unref: a pending sweep never keeps the process alive on its own.
  const sweep =
    sweepIntervalMs > 0 ? setInterval(() => registry.sweepIdle(), sweepIntervalMs).unref() : undefined;
  return registry;
}
