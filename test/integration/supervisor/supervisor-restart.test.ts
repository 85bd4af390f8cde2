import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Clock } from '../../../src/shared/clock.ts';
import { createSupervisor } from '../../../src/supervisor/index.ts';
import { acceptsConnections } from '../../../src/supervisor/probe-port.ts';
import { hasMsg, type LogCapture, type LogRecord } from '../../support/child-fixtures/log-capture.ts';
import { supervisorSetup } from '../../support/child-fixtures/supervisor-setup.ts';

/** A clock the test moves by hand: uptime, and so the backoff reset, follows it alone. */
function manualClock(): Clock & { advance(ms: number): void } {
  let nowMs = 1_700_000_000_000;
  return { nowMs: () => nowMs, advance: (ms) => (nowMs += ms) };
}

async function nthRecord(logs: LogCapture, msg: string, n: number): Promise<LogRecord> {
  await logs.waitFor(() => logs.records().filter(hasMsg(msg)).length >= n);
  return logs.records().filter(hasMsg(msg))[n - 1]!;
}

describe('supervisor restart', () => {
  it('restarts a crashed child after the backoff delay; not running meanwhile, running again after', async (t) => {
    const { port, logs, options } = await supervisorSetup('listen-after-delay');
    const supervisor = createSupervisor({ ...options, backoff: { initialMs: 200, maxMs: 1_000 } });
    t.after(() => supervisor.stop(0));
    await supervisor.start();
    const firstPid = supervisor.pid()!;

    process.kill(firstPid, 'SIGKILL');
    const exited = await logs.waitFor(hasMsg('supervisor.child_exited'));
    assert.deepEqual([exited['pid'], exited['code'], exited['signal']], [firstPid, null, 'SIGKILL']);
    assert.equal(supervisor.isRunning(), false);
    const scheduled = await logs.waitFor(hasMsg('supervisor.child_restart_scheduled'));
    assert.deepEqual([scheduled['delayMs'], scheduled['attempt']], [200, 1]);

    const restarted = await logs.waitFor(hasMsg('supervisor.child_restarted'));
    assert.equal(supervisor.isRunning(), true);
    assert.notEqual(restarted['pid'], firstPid);
    assert.equal(supervisor.pid(), restarted['pid']);
    assert.equal(await acceptsConnections({ host: '127.0.0.1', port }), true);
  });

  it('doubles the delay on each consecutive crash and starts over once the child stayed up', async (t) => {
    const clock = manualClock();
    const { logs, options } = await supervisorSetup('listen-after-delay');
    const supervisor = createSupervisor({
      ...options,
      clock,
      backoff: { initialMs: 10, maxMs: 1_000, resetAfterMs: 60_000 },
    });
    t.after(() => supervisor.stop(0));
    await supervisor.start();

    const crashAndRestart = async (n: number): Promise<unknown> => {
      process.kill(supervisor.pid()!, 'SIGKILL');
      const scheduled = await nthRecord(logs, 'supervisor.child_restart_scheduled', n);
      await nthRecord(logs, 'supervisor.child_restarted', n);
      return scheduled['delayMs'];
    };
    assert.equal(await crashAndRestart(1), 10);
    assert.equal(await crashAndRestart(2), 20);
    assert.equal(await crashAndRestart(3), 40);
    clock.advance(60_000);
    assert.equal(await crashAndRestart(4), 10);
  });

  it('keeps retrying a child that fails to start again, with growing delays, until it comes back', async (t) => {
    const scratchDir = await mkdtemp(join(tmpdir(), 'supervisor-'));
    t.after(() => rm(scratchDir, { recursive: true, force: true }));
    const brokenFlag = join(scratchDir, 'broken');
    const { logs, options } = await supervisorSetup('listen-after-delay', {
      BROKEN_WHILE_FILE_EXISTS: brokenFlag,
    });
    const supervisor = createSupervisor({ ...options, backoff: { initialMs: 10, maxMs: 1_000 } });
    t.after(() => supervisor.stop(0));
    await supervisor.start();

    await writeFile(brokenFlag, '');
    process.kill(supervisor.pid()!, 'SIGKILL');
    const failed = await nthRecord(logs, 'supervisor.child_restart_failed', 3);
    assert.match(
      String((failed['err'] as { message: string }).message),
      /exited with code 4[^]*fixture broken/,
    );
    assert.equal(supervisor.isRunning(), false);
    await rm(brokenFlag);

    await logs.waitFor(hasMsg('supervisor.child_restarted'));
    assert.equal(supervisor.isRunning(), true);
    const delays = logs
      .records()
      .filter(hasMsg('supervisor.child_restart_scheduled'))
      .map((r) => r['delayMs']);
    assert.deepEqual(delays.slice(0, 4), [10, 20, 40, 80]);
  });

  it('with exitWithChild, reports the exit code of a child that exited on its own and does not restart it', async (t) => {
    const { port, logs, options } = await supervisorSetup('listen-after-delay', {}, { exitWithChild: true });
    let reportedCode: number | undefined;
    const reported = new Promise<void>((resolve) => {
      const supervisor = createSupervisor({
        ...options,
        onExit: (code) => {
          reportedCode = code;
          resolve();
        },
      });
      t.after(() => supervisor.stop(0));
      void supervisor.start().then(() => fetch(`http://127.0.0.1:${port}/exit?code=5`));
    });
    await reported;
    assert.equal(reportedCode, 5);
    assert.equal(logs.records().filter(hasMsg('supervisor.child_restart_scheduled')).length, 0);
  });

  for (const [signal, expected] of [
    ['SIGKILL', 137],
    ['SIGINT', 130],
  ] as const) {
    it(`with exitWithChild, reports a child killed by ${signal} as ${expected} (128 + n), never 0`, async (t) => {
      const { options } = await supervisorSetup('ignore-sigterm', {}, { exitWithChild: true });
      const codes: number[] = [];
      let onExit!: () => void;
      const reported = new Promise<void>((resolve) => (onExit = resolve));
      const supervisor = createSupervisor({
        ...options,
        onExit: (code) => {
          codes.push(code);
          onExit();
        },
      });
      t.after(() => supervisor.stop(0));
      await supervisor.start();

      process.kill(supervisor.pid()!, signal);
      await reported;
      assert.deepEqual(codes, [expected]);
      assert.equal(supervisor.isRunning(), false);
      assert.equal(supervisor.state(), 'stopped');
    });
  }
});
