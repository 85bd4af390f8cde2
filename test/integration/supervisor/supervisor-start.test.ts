import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { createSupervisor, McpServerStartError } from '../../../src/supervisor/index.ts';
import { acceptsConnections } from '../../../src/supervisor/probe-port.ts';
import { hasMsg } from '../../support/child-fixtures/log-capture.ts';
import { waitForProcessGone } from '../../support/child-fixtures/process-gone.ts';
import { supervisorSetup } from '../../support/child-fixtures/supervisor-setup.ts';

async function rejection(promise: Promise<unknown>): Promise<McpServerStartError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof McpServerStartError, `expected McpServerStartError, got ${String(error)}`);
    return error;
  }
  assert.fail('start() resolved');
}

describe('supervisor start', () => {
  it('resolves only once the child accepts TCP connections on the port of MCP_SERVER_URL', async (t) => {
    const { port, options } = await supervisorSetup('listen-after-delay', { LISTEN_DELAY_MS: '300' });
    const supervisor = createSupervisor(options);
    t.after(() => supervisor.stop(0));

    const started = supervisor.start();
    assert.equal(supervisor.isRunning(), false);
    assert.equal(supervisor.state(), 'starting');
    await started;

    assert.equal(supervisor.isRunning(), true);
    assert.equal(await acceptsConnections({ host: '127.0.0.1', port }), true);
  });

  it("relays the child's stdout and stderr into the logger, one tagged record per line", async (t) => {
    const { logs, options } = await supervisorSetup('listen-after-delay');
    const supervisor = createSupervisor(options);
    t.after(() => supervisor.stop(0));
    await supervisor.start();

    const pid = supervisor.pid();
    const stdout = await logs.waitFor((record) => String(record.msg).startsWith('fixture starting'));
    assert.deepEqual([stdout['source'], stdout['stream'], stdout['pid']], ['mcp-server', 'stdout', pid]);
    assert.equal(stdout.msg, `fixture starting pid=${pid}`);
    const stderr = await logs.waitFor(hasMsg('fixture warming up'));
    assert.deepEqual([stderr['source'], stderr['stream']], ['mcp-server', 'stderr']);
  });

  it("merges MCP_SERVER_RUN_ENV_JSON over the proxy's environment (the child's PORT wins)", async (t) => {
    const { port, options } = await supervisorSetup('listen-after-delay');
    const supervisor = createSupervisor({
      ...options,
      baseEnv: { ...options.baseEnv, PORT: '1', UNSET: undefined },
    });
    t.after(() => supervisor.stop(0));
    await supervisor.start();
    assert.equal(await acceptsConnections({ host: '127.0.0.1', port }), true);
  });

  it('fails after the start timeout with the command, the port and the stderr tail, and kills the child', async () => {
    const { port, logs, options } = await supervisorSetup(
      'listen-after-delay',
      { LISTEN_DELAY_MS: '600000' },
      // Long enough for Node to boot and print its first line even on a loaded machine.
      { startTimeoutMs: 2_000 },
    );
    const supervisor = createSupervisor(options);

    const error = await rejection(supervisor.start());
    assert.equal(error.reason, 'timeout');
    assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.match(error.message, /within 2000 ms/);
    assert.ok(error.message.includes(JSON.stringify(process.execPath)));
    assert.deepEqual(error.stderrTail, ['fixture warming up']);
    assert.equal(supervisor.isRunning(), false);

    const spawned = await logs.waitFor(hasMsg('supervisor.child_spawned'));
    assert.equal(
      await waitForProcessGone(spawned['pid'] as number),
      true,
      'the timed-out child was left running',
    );
  });

  it('fails at once, with its exit code and stderr, when the child exits before it is ready', async () => {
    const { options } = await supervisorSetup('exit-immediately', {}, { startTimeoutMs: 600_000 });
    const supervisor = createSupervisor(options);

    const error = await rejection(supervisor.start());
    assert.equal(error.reason, 'exited');
    assert.deepEqual(error.exit, { code: 3, signal: null });
    assert.deepEqual(error.stderrTail, ['fatal: MCP_API_KEY is not set', 'shutting down']);
    assert.match(error.message, /exited with code 3 before accepting connections/);
    assert.equal(supervisor.state(), 'stopped');
  });

  it('fails clearly when the command cannot be spawned', async () => {
    const { options } = await supervisorSetup(
      'listen-after-delay',
      {},
      { command: '/nonexistent/mcp-server', args: [] },
    );
    const error = await rejection(createSupervisor(options).start());
    assert.equal(error.reason, 'spawn-failed');
    assert.match(error.message, /"\/nonexistent\/mcp-server" could not be started: .*ENOENT/);
  });

  it('refuses to call a stranger ready: the port is already taken before the child starts', async (t) => {
    const { port, logs, options } = await supervisorSetup('listen-after-delay');
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => squatter.close(() => resolve())));

    const error = await rejection(createSupervisor(options).start());
    assert.equal(error.reason, 'port-in-use');
    assert.equal(logs.records().filter(hasMsg('supervisor.child_spawned')).length, 0);
  });

  it('returns the same start for concurrent callers and spawns one child', async (t) => {
    const { logs, options } = await supervisorSetup('listen-after-delay');
    const supervisor = createSupervisor(options);
    t.after(() => supervisor.stop(0));
    await Promise.all([supervisor.start(), supervisor.start()]);
    assert.equal(logs.records().filter(hasMsg('supervisor.child_spawned')).length, 1);
  });
});
