import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSupervisor, McpServerStartError } from '../../../src/supervisor/index.ts';
import { grandchildPid, hasMsg } from '../../support/child-fixtures/log-capture.ts';
import { processGone, waitForProcessGone } from '../../support/child-fixtures/process-gone.ts';
import { supervisorSetup } from '../../support/child-fixtures/supervisor-setup.ts';

describe('supervisor stop', () => {
  it('sends SIGTERM first, so a well-behaved child shuts down on its own', async () => {
    const { logs, options } = await supervisorSetup('listen-after-delay');
    const supervisor = createSupervisor(options);
    await supervisor.start();
    const pid = supervisor.pid()!;

    await supervisor.stop(60_000);

    await logs.waitFor(hasMsg('received SIGTERM'));
    const stopped = await logs.waitFor(hasMsg('supervisor.child_stopped'));
    assert.deepEqual([stopped['pid'], stopped['code'], stopped['signal']], [pid, 0, null]);
    assert.equal(supervisor.isRunning(), false);
    assert.equal(supervisor.state(), 'stopped');
    assert.equal(await waitForProcessGone(pid), true);
  });

  it('sends SIGKILL once the grace period has passed to a child that ignores SIGTERM', async () => {
    const { logs, options } = await supervisorSetup('ignore-sigterm');
    const supervisor = createSupervisor(options);
    await supervisor.start();
    const pid = supervisor.pid()!;

    await supervisor.stop(300);

    await logs.waitFor(hasMsg('ignoring SIGTERM'));
    const stopped = await logs.waitFor(hasMsg('supervisor.child_stopped'));
    assert.deepEqual([stopped['code'], stopped['signal']], [null, 'SIGKILL']);
    assert.equal(await waitForProcessGone(pid), true);
  });

  it("leaves no orphan: the child's own children die with it", async () => {
    const { logs, options } = await supervisorSetup('spawn-grandchild');
    const supervisor = createSupervisor(options);
    await supervisor.start();
    const childPid = supervisor.pid()!;
    const grandchild = await grandchildPid(logs);
    assert.equal(await processGone(grandchild), false);

    await supervisor.stop(300);

    assert.equal(await waitForProcessGone(childPid), true, 'the child survived');
    assert.equal(await waitForProcessGone(grandchild), true, 'the grandchild was orphaned');
  });

  it('reaps the grandchildren of a child that crashed, before restarting it', async (t) => {
    const { logs, options } = await supervisorSetup('spawn-grandchild');
    const supervisor = createSupervisor({ ...options, backoff: { initialMs: 10, maxMs: 100 } });
    t.after(() => supervisor.stop(0));
    await supervisor.start();
    const grandchild = await grandchildPid(logs);

    process.kill(supervisor.pid()!, 'SIGKILL');

    await logs.waitFor(hasMsg('supervisor.child_restarted'));
    assert.equal(await waitForProcessGone(grandchild), true, 'the crashed child left its grandchild behind');
  });

  it('is idempotent, and nothing restarts or starts after it', async () => {
    const { logs, options } = await supervisorSetup('listen-after-delay');
    const supervisor = createSupervisor({ ...options, backoff: { initialMs: 1, maxMs: 1 } });
    await supervisor.start();

    const first = supervisor.stop(1_000);
    assert.equal(supervisor.stop(1_000), first);
    await first;
    await supervisor.stop(0);

    assert.equal(logs.records().filter(hasMsg('supervisor.child_stopped')).length, 1);
    assert.equal(logs.records().filter(hasMsg('supervisor.child_exited')).length, 0);
    assert.equal(logs.records().filter(hasMsg('supervisor.child_restart_scheduled')).length, 0);
    assert.equal(supervisor.pid(), undefined);
    const fresh = createSupervisor(options);
    await fresh.stop(0);
    await assert.rejects(
      fresh.start(),
      (error) => error instanceof McpServerStartError && error.reason === 'stopped',
    );
  });

  it('ends a start still waiting for the port: start rejects as stopped and the child is gone', async () => {
    const { logs, options } = await supervisorSetup('listen-after-delay', { LISTEN_DELAY_MS: '600000' });
    const supervisor = createSupervisor(options);
    const outcome = supervisor.start().then(
      () => undefined,
      (error: unknown) => error,
    );
    const spawned = await logs.waitFor(hasMsg('supervisor.child_spawned'));

    await supervisor.stop(5_000);

    const error = await outcome;
    assert.ok(error instanceof McpServerStartError);
    assert.equal(error.reason, 'stopped');
    assert.equal(await waitForProcessGone(spawned['pid'] as number), true);
  });

  it('spawns nothing when stop comes right after start', async () => {
    const { logs, options } = await supervisorSetup('listen-after-delay');
    const supervisor = createSupervisor(options);
    const started = assert.rejects(
      supervisor.start(),
      (error) => error instanceof McpServerStartError && error.reason === 'stopped',
    );

    await supervisor.stop(1_000);

    await started;
    assert.equal(logs.records().filter(hasMsg('supervisor.child_spawned')).length, 0);
  });

  it('cancels a restart that is waiting out its backoff delay', async () => {
    const { logs, options } = await supervisorSetup('listen-after-delay');
    const supervisor = createSupervisor({ ...options, backoff: { initialMs: 600_000, maxMs: 600_000 } });
    await supervisor.start();
    process.kill(supervisor.pid()!, 'SIGKILL');
    await logs.waitFor(hasMsg('supervisor.child_restart_scheduled'));

    await supervisor.stop(1_000);

    assert.equal(supervisor.state(), 'stopped');
    assert.equal(logs.records().filter(hasMsg('supervisor.child_spawned')).length, 1);
  });
});
