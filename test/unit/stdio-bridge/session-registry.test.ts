import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createSessionRegistry,
  type RegisteredSession,
  type SessionEndReason,
} from '../../../src/stdio-bridge/session-registry.ts';

/** A session that only records what the registry asked of it; `idleSinceMs` stands for its last request. */
class RecordingSession implements RegisteredSession {
  readonly accountId: string;
  idleSinceMs: number | undefined;
  readonly ended: SessionEndReason[] = [];
  killed = false;
  onClose: (() => void) | undefined;
  constructor(accountId: string, idleSinceMs?: number) {
    this.accountId = accountId;
    this.idleSinceMs = idleSinceMs;
  }
  isIdle(nowMs: number, idleTimeoutMs: number): boolean {
    return this.idleSinceMs !== undefined && nowMs - this.idleSinceMs >= idleTimeoutMs;
  }
  close(reason: SessionEndReason): Promise<void> {
    this.ended.push(reason);
    this.onClose?.();
    return Promise.resolve();
  }
  kill(): void {
    this.killed = true;
  }
}

function setUp(maxSessions = 3) {
  const clock = { nowMs: () => now };
  let now = 1_000_000;
  const registry = createSessionRegistry<RecordingSession>({
    maxSessions,
    idleTimeoutMs: 60_000,
    clock,
    sweepIntervalMs: 0,
  });
  const open = (session: RecordingSession, sessionId?: string): RecordingSession => {
    const slot = registry.reserve();
    assert.ok(slot, 'a place is free');
    slot.fill(session);
    if (sessionId !== undefined) registry.bind(sessionId, session);
    session.onClose = () => registry.forget(session);
    return session;
  };
  return { registry, open, advance: (ms: number) => (now += ms), now: () => now };
}

describe('the stdio session registry', () => {
  it('finds a session only for the account that opened it', async () => {
    const { registry, open } = setUp();
    const session = open(new RecordingSession('alice'), 'sid-1');
    assert.equal(registry.find('sid-1', 'alice'), session);
    assert.equal(registry.find('sid-1', 'bob'), undefined);
    assert.equal(registry.find('sid-2', 'alice'), undefined);
    await registry.closeAll();
  });

  it('counts places held for starting sessions against the cap, and gives released places back', async () => {
    const { registry, open } = setUp(2);
    open(new RecordingSession('alice'), 'sid-1');
    const starting = registry.reserve();
    assert.ok(starting);
    assert.equal(registry.reserve(), undefined, 'the cap counts the session being started');
    starting.release();
    starting.release();
    assert.equal(registry.size(), 1);
    const again = registry.reserve();
    assert.ok(again, 'a released place is free again');
    again.release();
    await registry.closeAll();
  });

  it('forgets an ended session: its id is unknown and its place is free', async () => {
    const { registry, open } = setUp(1);
    const session = open(new RecordingSession('alice'), 'sid-1');
    await session.close('deleted');
    assert.equal(registry.find('sid-1', 'alice'), undefined);
    assert.equal(registry.size(), 0);
    await registry.closeAll();
  });

  it('ends the sessions idle for the timeout when it sweeps, and only those', async () => {
    const { registry, open, advance, now } = setUp();
    const idle = open(new RecordingSession('alice', now()), 'sid-idle');
    const busy = open(new RecordingSession('bob', undefined), 'sid-busy');
    advance(59_999);
    registry.sweepIdle();
    assert.deepEqual(idle.ended, []);
    advance(1);
    registry.sweepIdle();
    assert.deepEqual(idle.ended, ['idle']);
    assert.deepEqual(busy.ended, []);
    assert.equal(registry.find('sid-idle', 'alice'), undefined);
    await registry.closeAll();
    assert.deepEqual(busy.ended, ['shutdown']);
  });

  it('ends a session that was still starting when it closes, and refuses new ones', async () => {
    const { registry } = setUp();
    const starting = registry.reserve();
    assert.ok(starting);
    const closed = registry.closeAll();
    assert.equal(registry.reserve(), undefined);
    const late = new RecordingSession('alice');
    late.onClose = () => registry.forget(late);
    starting.fill(late);
    await closed;
    assert.deepEqual(late.ended, ['shutdown']);
  });
});
