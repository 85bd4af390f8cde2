import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { installGracefulShutdown, type GracefulShutdown } from '../../../src/http/graceful-shutdown.ts';
import { captureLogs, hasMsg, type LogCapture } from '../../support/child-fixtures/log-capture.ts';

/**
 * A server with the two kinds of request a proxy drains: a short one the test
 * releases by hand (/slow) and an SSE stream that never ends on its own (/stream).
 */
interface Harness {
  readonly server: Server;
  readonly port: number;
  readonly logs: LogCapture;
  readonly shutdown: GracefulShutdown;
  /** Everything that happened, in order: 'onShutdown', 'exit:<code>'. */
  readonly events: string[];
  readonly exited: Promise<number>;
  readonly slowArrived: Promise<void>;
  releaseSlow(): void;
}

async function harness(
  t: TestContext,
  options: { graceMs: number; onShutdown?: () => Promise<void>; signals?: NodeJS.Signals[] },
): Promise<Harness> {
  let releaseSlow!: () => void;
  const slowReleased = new Promise<void>((resolve) => (releaseSlow = resolve));
  let slowArrivedResolve!: () => void;
  const slowArrived = new Promise<void>((resolve) => (slowArrivedResolve = resolve));
  const server = createServer((req, res) => {
    if (req.url === '/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: hello\n\n');
      return;
    }
    if (req.url === '/slow') {
      slowArrivedResolve();
      void slowReleased.then(() => res.end('slow done'));
      return;
    }
    res.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });

  const events: string[] = [];
  const logs = captureLogs();
  let exitedResolve!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (exitedResolve = resolve));
  const shutdown = installGracefulShutdown({
    server,
    graceMs: options.graceMs,
    logger: logs.logger,
    signals: options.signals ?? [],
    onShutdown: async () => {
      events.push('onShutdown');
      await options.onShutdown?.();
    },
    exit: (code) => {
      events.push(`exit:${code}`);
      exitedResolve(code);
    },
  });
  t.after(() => shutdown.uninstall());
  return { server, port, logs, shutdown, events, exited, slowArrived, releaseSlow };
}

async function get(port: number, path: string, agent?: Agent): Promise<IncomingMessage> {
  const req = request({ host: '127.0.0.1', port, path, ...(agent ? { agent } : {}) });
  req.end();
  const [response] = (await once(req, 'response')) as [IncomingMessage];
  return response;
}

async function bodyOf(response: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of response) body += String(chunk);
  return body;
}

async function connectionRefused(port: number): Promise<boolean> {
  const socket = connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  } finally {
    socket.destroy();
  }
}

describe('graceful shutdown', () => {
  it('refuses new connections, lets the in-flight request finish, ends open streams at the deadline, then exits 0', async (t) => {
    const h = await harness(t, { graceMs: 300 });
    const stream = await get(h.port, '/stream');
    const [firstEvent] = (await once(stream, 'data')) as [Buffer];
    assert.equal(firstEvent.toString(), 'data: hello\n\n');
    const streamError = once(stream, 'error');
    const slow = get(h.port, '/slow');
    await h.slowArrived;

    h.shutdown.handleSignal('SIGTERM');

    assert.equal(await connectionRefused(h.port), true);
    h.releaseSlow();
    const slowResponse = await slow;
    assert.equal(slowResponse.headers.connection, 'close');
    assert.equal(await bodyOf(slowResponse), 'slow done');

    const [cut] = (await streamError) as [NodeJS.ErrnoException];
    assert.equal(cut.code, 'ECONNRESET', 'the stream was cut at the deadline, not ended by the handler');
    assert.equal(await h.exited, 0);
    assert.deepEqual(h.events, ['onShutdown', 'exit:0']);
    await h.logs.waitFor(hasMsg('server.shutdown_grace_expired'));
  });

  it('closes idle keep-alive connections at once instead of waiting out the grace period', async (t) => {
    const h = await harness(t, { graceMs: 600_000 });
    const agent = new Agent({ keepAlive: true });
    t.after(() => agent.destroy());
    assert.equal(await bodyOf(await get(h.port, '/', agent)), 'ok');

    h.shutdown.handleSignal('SIGTERM');

    assert.equal(await h.exited, 0);
    assert.equal(h.logs.records().filter(hasMsg('server.shutdown_grace_expired')).length, 0);
  });

  it('closes a keep-alive connection as soon as its in-flight request is done', async (t) => {
    const h = await harness(t, { graceMs: 600_000 });
    const agent = new Agent({ keepAlive: true });
    t.after(() => agent.destroy());
    const slow = get(h.port, '/slow', agent);
    await h.slowArrived;

    h.shutdown.handleSignal('SIGTERM');
    h.releaseSlow();

    assert.equal(await bodyOf(await slow), 'slow done');
    assert.equal(await h.exited, 0);
    assert.equal(h.logs.records().filter(hasMsg('server.shutdown_grace_expired')).length, 0);
  });

  it('exits at once with 128 + n on a second signal', async (t) => {
    const h = await harness(t, { graceMs: 600_000 });
    await get(h.port, '/stream');

    h.shutdown.handleSignal('SIGTERM');
    h.shutdown.handleSignal('SIGINT');

    assert.equal(await h.exited, 130);
    assert.deepEqual(h.events, ['exit:130']);
    await h.logs.waitFor(hasMsg('server.shutdown_forced'));
    h.server.closeAllConnections(); // lets the first drain finish so that the test ends
  });

  it('exits 1 when onShutdown fails, after logging why', async (t) => {
    const h = await harness(t, {
      graceMs: 1_000,
      onShutdown: () => Promise.reject(new Error('store would not close')),
    });

    h.shutdown.handleSignal('SIGTERM');

    assert.equal(await h.exited, 1);
    const failed = await h.logs.waitFor(hasMsg('server.shutdown_failed'));
    assert.match(String((failed['err'] as { message: string }).message), /store would not close/);
  });

  it('drains with the exit code it is given when the shutdown has another cause', async (t) => {
    const h = await harness(t, { graceMs: 1_000 });
    await h.shutdown.shutdown('mcp-server-exited', 137);
    assert.deepEqual(h.events, ['onShutdown', 'exit:137']);
  });

  it('listens for the configured process signals', async (t) => {
    const listenersBefore = process.listenerCount('SIGHUP');
    const h = await harness(t, { graceMs: 1_000, signals: ['SIGHUP'] });
    process.emit('SIGHUP', 'SIGHUP');
    assert.equal(await h.exited, 0);
    h.shutdown.uninstall();
    assert.equal(process.listenerCount('SIGHUP'), listenersBefore);
  });
});
