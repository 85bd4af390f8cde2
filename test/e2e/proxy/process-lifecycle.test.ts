/**
 * The proxy as operators run it: `node src/main.ts` in its own process, with
 * a supervised MCP server, configured only through its environment. SIGTERM
 * drains and exits 0 without orphans; the release check starts, checks and
 * leaves.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { processGone, waitForProcessGone } from '../../support/child-fixtures/process-gone.ts';
import { startFakeIdp, type FakeIdp } from '../../support/fake-idp.ts';
import { freePort } from '../../support/free-port.ts';
import { supervisedMcpEnv } from '../../support/test-proxy.ts';
import { initializeRaw, logIn, MCP_PROTOCOL_VERSION, postMcp } from './proxy-steps.ts';

const MAIN_PATH = fileURLToPath(new URL('../../../src/main.ts', import.meta.url));
const SHUTDOWN_GRACE_MS = 1_000;
/** Far beyond the grace period plus the MCP server's stop: reaching it means the process hangs. */
const EXIT_DEADLINE_MS = 20_000;

type LogLine = Record<string, unknown>;
interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

interface ProxyProcess {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  readonly lines: LogLine[];
  /** Everything written to stdout and stderr, for assertions on the reason of a failure. */
  output(): string;
  /** The first log line with this event; rejects if the process exits before writing it. */
  waitForEvent(event: string): Promise<LogLine>;
  readonly exited: Promise<Exit>;
}

interface Setup {
  readonly idp: FakeIdp;
  readonly env: Record<string, string>;
  readonly baseUrl: string;
  /** A directory without a .env: the environment is the whole configuration. */
  readonly cwd: string;
}

/** A fake IdP in this process and the environment of a proxy in front of it and a supervised MCP server. */
async function setUp(t: TestContext, overrides: Record<string, string> = {}): Promise<Setup> {
  const idp = await startFakeIdp({ mode: 'oidc' });
  t.after(() => idp.close());
  const dir = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-lifecycle-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  idp.redirectUris.push(`${baseUrl}/interaction/identity/callback`);
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    BASE_URL: baseUrl,
    PORT: String(port),
    LOCAL_INSECURE: 'true',
    IDENTITY_SERVER_URL: idp.issuer,
    IDENTITY_CLIENT_ID: idp.clientId,
    IDENTITY_CLIENT_SECRET: idp.clientSecret,
    IDENTITY_SCOPE: 'openid profile email',
    MCP_AUTH_PROXY_SQLITE_PATH: join(dir, 'store.sqlite'),
    MCP_AUTH_PROXY_SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS),
    LOG_LEVEL: 'info',
    ...supervisedMcpEnv(await freePort()),
    ...overrides,
  };
  return { idp, env, baseUrl, cwd: dir };
}

function spawnProxy(t: TestContext, setup: Setup): ProxyProcess {
  const child = spawn(process.execPath, [MAIN_PATH], {
    cwd: setup.cwd,
    env: setup.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<Exit>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const listeners = new Set<() => void>();
  const read = (stream: NodeJS.ReadableStream): void => {
    createInterface({ input: stream }).on('line', (line) => {
      raw.push(line);
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        // Not a log record (a configuration problem is printed as text): kept in raw only.
      }
      for (const listener of listeners) listener();
    });
  };
  read(child.stdout);
  read(child.stderr);
  t.after(async () => {
    // A failed assertion must leave neither the proxy nor its MCP server behind.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    for (const line of lines) {
      const pid = line['event'] === 'supervisor.child_spawned' ? line['pid'] : undefined;
      if (typeof pid !== 'number' || (await processGone(pid))) continue;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });
  return {
    child,
    baseUrl: setup.baseUrl,
    lines,
    output: () => raw.join('\n'),
    exited,
    waitForEvent: (event) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const found = lines.find((line) => line['event'] === event);
          if (found !== undefined) {
            listeners.delete(check);
            resolve(found);
          }
        };
        listeners.add(check);
        check();
        void exited.then((exit) => {
          check();
          listeners.delete(check);
          reject(new Error(`the proxy exited (${JSON.stringify(exit)}) before ${event}:\n${raw.join('\n')}`));
        });
      }),
  };
}

/** Resolves with the exit, or fails the test when the process outlives the deadline. */
async function exitWithin(proxy: ProxyProcess, deadlineMs: number): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`still running after ${deadlineMs} ms:\n${proxy.output()}`)),
      deadlineMs,
    );
  });
  try {
    return await Promise.race([proxy.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads an SSE body until it ends (done) or is cut (error); resolves with what happened. */
async function readUntilEnd(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<'ended' | 'cut'> {
  try {
    for (;;) {
      const { done } = await reader.read();
      if (done) return 'ended';
    }
  } catch {
    return 'cut';
  }
}

describe('the proxy process (node src/main.ts)', () => {
  it('on SIGTERM ends the open streams, stops the MCP server and exits 0', async (t) => {
    const setup = await setUp(t);
    const proxy = spawnProxy(t, setup);
    await proxy.waitForEvent('server.listening');
    const ready = await proxy.waitForEvent('supervisor.child_ready');
    const mcpPid = ready['pid'];
    assert.equal(typeof mcpPid, 'number');

    const mcpUrl = `${proxy.baseUrl}/mcp`;
    const alice = await logIn(mcpUrl, 'alice');
    const token = alice.tokens.access_token;

    // A session with its standalone SSE stream (GET), held open by the MCP server.
    const initialized = await initializeRaw(mcpUrl, token);
    assert.equal(initialized.status, 200);
    await initialized.arrayBuffer();
    const sessionId = initialized.headers.get('mcp-session-id') ?? '';
    const notified = await postMcp(
      mcpUrl,
      token,
      { method: 'notifications/initialized' },
      { 'mcp-session-id': sessionId },
    );
    assert.equal(notified.status, 202);
    await notified.arrayBuffer();
    const sse = await fetch(mcpUrl, {
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'text/event-stream',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': MCP_PROTOCOL_VERSION,
      },
    });
    assert.equal(sse.status, 200);
    assert.match(sse.headers.get('content-type') ?? '', /text\/event-stream/);
    const sseEnded = readUntilEnd(sse.body!.getReader());

    // And a tool call in progress: step 1 arrives at once, step 2 only after ten minutes.
    const call = await postMcp(
      mcpUrl,
      token,
      {
        id: 2,
        method: 'tools/call',
        params: {
          name: 'progress',
          arguments: { count: 2, delayMs: 600_000 },
          _meta: { progressToken: 'p1' },
        },
      },
      { 'mcp-session-id': sessionId },
    );
    assert.equal(call.status, 200);
    const callStream: ReadableStreamDefaultReader<Uint8Array> = call.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    while (!received.includes('notifications/progress')) {
      const chunk = await callStream.read();
      if (chunk.done) assert.fail('the tool call ended early');
      received += decoder.decode(chunk.value, { stream: true });
    }
    const callEnded = readUntilEnd(callStream);

    proxy.child.kill('SIGTERM');

    assert.deepEqual(await exitWithin(proxy, EXIT_DEADLINE_MS), { code: 0, signal: null });
    assert.ok(['ended', 'cut'].includes(await sseEnded));
    assert.equal(await callEnded, 'cut', 'an unfinished tool call must not look complete');
    assert.equal(await waitForProcessGone(mcpPid as number), true, 'the MCP server outlived the proxy');
    const events = proxy.lines.map((line) => line['event']);
    assert.ok(events.includes('server.shutdown_started'), proxy.output());
    assert.ok(events.includes('server.shutdown_grace_expired'), 'the streams were cut at the grace period');
    assert.ok(events.includes('server.shutdown_complete'), proxy.output());
  });

  it('with MCP_AUTH_PROXY_VERIFY_RELEASE=true starts everything, checks, and exits 0', async (t) => {
    const setup = await setUp(t, { MCP_AUTH_PROXY_VERIFY_RELEASE: 'true' });
    const proxy = spawnProxy(t, setup);
    assert.deepEqual(await exitWithin(proxy, EXIT_DEADLINE_MS), { code: 0, signal: null }, proxy.output());
    const events = proxy.lines.map((line) => line['event']);
    assert.ok(events.includes('supervisor.child_ready'), proxy.output());
    assert.ok(events.includes('release.verified'), proxy.output());
    const spawned = proxy.lines.find((line) => line['event'] === 'supervisor.child_spawned');
    assert.equal(
      await waitForProcessGone(spawned?.['pid'] as number),
      true,
      'the MCP server outlived the check',
    );
    assert.ok(setup.idp.counts.discovery >= 1, 'the IdP was asked');
  });

  it('with MCP_AUTH_PROXY_VERIFY_RELEASE=true and an unreachable IdP exits non-zero and says why', async (t) => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const setup = await setUp(t, {
      MCP_AUTH_PROXY_VERIFY_RELEASE: 'true',
      IDENTITY_SERVER_URL: nobody,
    });
    const proxy = spawnProxy(t, setup);
    const exit = await exitWithin(proxy, EXIT_DEADLINE_MS);
    assert.notEqual(exit.code, 0, proxy.output());
    assert.equal(exit.signal, null);
    const failure = proxy.lines.find((line) => line['event'] === 'server.start_failed');
    assert.ok(failure !== undefined, proxy.output());
    assert.match(JSON.stringify(failure), /identity|issuer|discovery|metadata|ECONNREFUSED|fetch/i);
    assert.ok(!proxy.lines.some((line) => line['event'] === 'server.listening'), 'it never served');
  });
});
