/**
 * SIGTERM to the built proxy process while MCP SDK clients hold their
 * standalone GET (SSE) streams: those streams end cleanly at once (clients
 * resume them), a tool call in flight keeps its grace and completes, and the
 * process exits 0 without leaving its MCP server behind.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { waitForProcessGone } from '../../support/child-fixtures/process-gone.ts';
import {
  exitWithin,
  prepareProxyProcess,
  spawnProxyProcess,
  type ProxyProcess,
} from '../../support/proxy-process.ts';
import type { TestOAuthClient } from '../../support/sdk-oauth-client.ts';
import { logIn, textOf } from './proxy-steps.ts';

/** MCP_AUTH_PROXY_SHUTDOWN_GRACE_MS, its default. */
const SHUTDOWN_GRACE_MS = 10_000;
/**
 * Well under the grace: exiting sooner proves the idle streams did not hold it.
 * Deliberately loose (the measured figure is about a tenth of it), so a loaded machine does not fail it.
 */
const IDLE_EXIT_BOUND_MS = 5_000;
/** Far beyond the grace plus the MCP server's stop: reaching it means the process hangs. */
const EXIT_DEADLINE_MS = 30_000;
const STDIO_FIXTURE_PATH = fileURLToPath(new URL('../../support/stdio-fixture-server.ts', import.meta.url));

type StreamEnd = 'ended' | 'cut';

interface WatchedClient {
  readonly client: Client;
  /** How the SDK client's standalone GET stream ended: cleanly, or cut. */
  readonly getStreamEnd: Promise<StreamEnd>;
}

async function readUntilEnd(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<StreamEnd> {
  try {
    for (;;) {
      if ((await reader.read()).done) return 'ended';
    }
  } catch {
    return 'cut';
  }
}

/**
 * The SDK client connected through the proxy. Its fetch is wrapped only to
 * watch its GET stream: resolves once that stream is open.
 */
async function connectWatched(
  t: TestContext,
  mcpUrl: string,
  oauth: TestOAuthClient,
): Promise<WatchedClient> {
  let opened!: () => void;
  const getStreamOpen = new Promise<void>((resolve) => (opened = resolve));
  let getStreamEnd: Promise<StreamEnd> | undefined;
  const watchingFetch = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const response = await fetch(input, init);
    if (init?.method !== 'GET' || !response.ok || response.body === null || getStreamEnd !== undefined)
      return response;
    const [forClient, forTest] = response.body.tee();
    getStreamEnd = readUntilEnd(forTest.getReader());
    opened();
    return new Response(forClient, { status: response.status, headers: response.headers });
  };
  const client = new Client({ name: 'shutdown-e2e', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), {
    authProvider: oauth,
    fetch: watchingFetch,
  });
  // After the stream ends the SDK tries to resume it against a proxy that is gone: expected, not a failure.
  transport.onerror = () => undefined;
  await client.connect(transport);
  t.after(() => client.close());
  await getStreamOpen;
  return { client, getStreamEnd: getStreamEnd! };
}

async function startProxy(t: TestContext, mcpEnv?: Record<string, string>): Promise<ProxyProcess> {
  const setup = await prepareProxyProcess({}, mcpEnv);
  t.after(() => setup.close());
  const proxy = await spawnProxyProcess(setup, 'built');
  t.after(() => proxy.dispose());
  await proxy.waitForEvent('server.listening');
  return proxy;
}

/** SIGTERM, then the exit and how long it took. */
async function terminate(proxy: ProxyProcess): Promise<{ code: number | null; elapsedMs: number }> {
  const startedMs = performance.now();
  proxy.child.kill('SIGTERM');
  const exit = await exitWithin(proxy, EXIT_DEADLINE_MS);
  assert.equal(exit.signal, null, proxy.output());
  return { code: exit.code, elapsedMs: Math.round(performance.now() - startedMs) };
}

function assertNoGraceWaited(proxy: ProxyProcess): void {
  const events = proxy.lines.map((line) => line['event']);
  assert.ok(events.includes('server.shutdown_complete'), proxy.output());
  assert.ok(!events.includes('server.shutdown_grace_expired'), 'the shutdown waited out its grace');
}

describe('SIGTERM with MCP clients connected (built proxy process)', () => {
  it('ends idle GET streams at once, stops the MCP server and exits 0 well within the grace', async (t) => {
    const proxy = await startProxy(t);
    const mcpPid = (await proxy.waitForEvent('supervisor.child_ready'))['pid'] as number;
    const mcpUrl = `${proxy.baseUrl}/mcp`;
    const alice = await connectWatched(t, mcpUrl, (await logIn(mcpUrl, 'alice')).oauth);
    const bob = await connectWatched(t, mcpUrl, (await logIn(mcpUrl, 'bob')).oauth);

    const { code, elapsedMs } = await terminate(proxy);

    t.diagnostic(
      `time to exit on SIGTERM with idle streams: ${elapsedMs} ms (grace ${SHUTDOWN_GRACE_MS} ms)`,
    );
    assert.equal(code, 0, proxy.output());
    assert.ok(elapsedMs < IDLE_EXIT_BOUND_MS, `exited after ${elapsedMs} ms`);
    assertNoGraceWaited(proxy);
    assert.equal(await alice.getStreamEnd, 'ended', 'the GET stream was ended, not cut');
    assert.equal(await bob.getStreamEnd, 'ended', 'the GET stream was ended, not cut');
    assert.equal(await waitForProcessGone(mcpPid), true, 'the MCP server outlived the proxy');
  });

  it('lets a tool call in flight complete with its full result, then exits 0', async (t) => {
    const proxy = await startProxy(t);
    const mcpPid = (await proxy.waitForEvent('supervisor.child_ready'))['pid'] as number;
    const mcpUrl = `${proxy.baseUrl}/mcp`;
    const { client, getStreamEnd } = await connectWatched(t, mcpUrl, (await logIn(mcpUrl, 'alice')).oauth);
    // The gated tool sends a step only when the fixture is told to (it runs in the proxy's child).
    const fixtureUrl = new URL(proxy.env['MCP_SERVER_URL'] ?? '');
    const releaseStep = async (): Promise<void> => {
      const released = await fetch(`${fixtureUrl.origin}${fixtureUrl.pathname}/__fixture/release-progress`, {
        method: 'POST',
        headers: { authorization: 'Bearer test' },
      });
      assert.equal(released.status, 204);
    };
    const steps: number[] = [];
    let firstStep!: () => void;
    const firstStepSeen = new Promise<void>((resolve) => (firstStep = resolve));
    const call = client.callTool({ name: 'progress', arguments: { count: 3, gated: true } }, undefined, {
      onprogress: ({ progress }) => {
        steps.push(progress);
        firstStep();
      },
      timeout: EXIT_DEADLINE_MS,
    });
    await firstStepSeen;

    const exiting = terminate(proxy);
    await proxy.waitForEvent('server.shutdown_started');
    assert.equal(await getStreamEnd, 'ended', 'the idle GET stream ended while the call went on');
    for (let step = 0; step < 3; step += 1) await releaseStep();

    assert.equal(textOf(await call), 'done 3');
    assert.deepEqual(steps, [1, 2, 3]);
    const { code } = await exiting;
    assert.equal(code, 0, proxy.output());
    assertNoGraceWaited(proxy);
    assert.equal(await waitForProcessGone(mcpPid), true, 'the MCP server outlived the proxy');
  });

  it('with MCP_SERVER_TRANSPORT=stdio ends the idle GET stream at once and stops the session child', async (t) => {
    const proxy = await startProxy(t, {
      MCP_SERVER_TRANSPORT: 'stdio',
      MCP_SERVER_RUN_COMMAND: process.execPath,
      MCP_SERVER_RUN_ARGS_JSON: JSON.stringify([STDIO_FIXTURE_PATH]),
    });
    const mcpUrl = `${proxy.baseUrl}/mcp`;
    const { client, getStreamEnd } = await connectWatched(t, mcpUrl, (await logIn(mcpUrl, 'alice')).oauth);
    const childPid = Number(textOf(await client.callTool({ name: 'pid', arguments: {} })));

    const { code, elapsedMs } = await terminate(proxy);

    t.diagnostic(`stdio bridge, time to exit on SIGTERM with an idle stream: ${elapsedMs} ms`);
    assert.equal(code, 0, proxy.output());
    assert.ok(elapsedMs < IDLE_EXIT_BOUND_MS, `exited after ${elapsedMs} ms`);
    assertNoGraceWaited(proxy);
    assert.equal(await getStreamEnd, 'ended', 'the GET stream was ended, not cut');
    assert.equal(await waitForProcessGone(childPid), true, 'the session child outlived the proxy');
  });
});
