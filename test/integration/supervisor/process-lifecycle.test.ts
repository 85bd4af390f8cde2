import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { get, type IncomingMessage } from 'node:http';
import { createInterface } from 'node:readline';
import { describe, it, type TestContext } from 'node:test';
import { fixturePath } from '../../support/child-fixtures/fixture-command.ts';
import { freePort } from '../../support/child-fixtures/free-port.ts';
import { waitForProcessGone } from '../../support/child-fixtures/process-gone.ts';

/** The supervised-proxy fixture running as a real process, as far as the test can see it. */
interface ProxyProcess {
  readonly process: ChildProcess;
  readonly port: number;
  readonly childPid: number;
  readonly grandchildPid: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The msg of every log record it wrote, for diagnosis and assertions. */
  readonly logMessages: string[];
}

async function startProxy(
  t: TestContext,
  mode: 'serve' | 'exit-with-child' | 'abrupt',
): Promise<ProxyProcess> {
  const proxy = spawn(process.execPath, [fixturePath('supervised-proxy'), mode, String(await freePort())], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close' rather than 'exit': by then every log line it wrote has been read.
    proxy.once('close', (code, signal) => resolve({ code, signal })),
  );

  const logMessages: string[] = [];
  let grandchildAnnounced!: (pid: number) => void;
  const grandchildPid = new Promise<number>((resolve) => (grandchildAnnounced = resolve));
  createInterface({ input: proxy.stderr }).on('line', (line) => {
    const msg = String((JSON.parse(line) as { msg: unknown }).msg);
    logMessages.push(msg);
    const match = /^grandchild-ready pid=(\d+)$/.exec(msg);
    if (match) grandchildAnnounced(Number(match[1]));
  });
  const [readyLine] = (await once(createInterface({ input: proxy.stdout }), 'line')) as [string];
  const ready = JSON.parse(readyLine) as { port: number; childPid: number };
  // A failed assertion must not leave the proxy or its MCP server group behind.
  t.after(() => {
    if (proxy.exitCode === null && proxy.signalCode === null) proxy.kill('SIGKILL');
    try {
      process.kill(-ready.childPid, 'SIGKILL');
    } catch {
      // ESRCH: the group is already gone, as it should be.
    }
  });
  return { process: proxy, ...ready, grandchildPid: await grandchildPid, exited, logMessages };
}

describe('proxy process lifecycle (real processes, real signals)', () => {
  it('on SIGTERM ends open streams, stops the MCP server and its children, and exits 0', async (t) => {
    const proxy = await startProxy(t, 'serve');
    const stream = await new Promise<IncomingMessage>((resolve) =>
      get({ host: '127.0.0.1', port: proxy.port, path: '/stream' }, resolve),
    );
    // `once` would reject on the 'error' (ECONNRESET) that a cut stream also emits.
    const streamEnded = new Promise((resolve) => stream.once('close', resolve));
    stream.on('error', () => undefined);

    proxy.process.kill('SIGTERM');

    assert.deepEqual(await proxy.exited, { code: 0, signal: null });
    await streamEnded;
    assert.equal(await waitForProcessGone(proxy.childPid), true, 'the MCP server outlived the proxy');
    assert.equal(await waitForProcessGone(proxy.grandchildPid), true, "the MCP server's child was orphaned");
    assert.ok(proxy.logMessages.includes('server.shutdown_complete'), proxy.logMessages.join('\n'));
  });

  it('with MCP_SERVER_EXIT_WITH_CHILD, exits 137 when the MCP server is killed by SIGKILL', async (t) => {
    const proxy = await startProxy(t, 'exit-with-child');

    process.kill(proxy.childPid, 'SIGKILL');

    assert.deepEqual(await proxy.exited, { code: 137, signal: null });
    assert.equal(await waitForProcessGone(proxy.grandchildPid), true, "the MCP server's child was orphaned");
  });

  it('kills the MCP server and its children even when the proxy calls process.exit without stopping', async (t) => {
    const proxy = await startProxy(t, 'abrupt');

    proxy.process.kill('SIGHUP');

    assert.deepEqual(await proxy.exited, { code: 7, signal: null });
    assert.equal(await waitForProcessGone(proxy.childPid), true, 'the MCP server outlived the proxy');
    assert.equal(await waitForProcessGone(proxy.grandchildPid), true, "the MCP server's child was orphaned");
  });
});
