/**
 * The proxy as operators run it: `node src/main.ts` in its own process, with
 * a supervised MCP server, configured only through its environment. SIGTERM
 * drains and exits 0 without orphans; the release check starts, checks and
 * leaves.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { waitForProcessGone } from '../../support/child-fixtures/process-gone.ts';
import { freePort } from '../../support/free-port.ts';
import {
  exitWithin,
  prepareProxyProcess,
  spawnProxyProcess,
  type ProxyProcess,
  type ProxyProcessSetup,
} from '../../support/proxy-process.ts';
import { initializeRaw, logIn, MCP_PROTOCOL_VERSION, postMcp } from './proxy-steps.ts';

const SHUTDOWN_GRACE_MS = 1_000;
/** Far beyond the grace period plus the MCP server's stop: reaching it means the process hangs. */
const EXIT_DEADLINE_MS = 20_000;

/** A fake IdP in this process and the environment of a proxy in front of it and a supervised MCP server. */
async function setUp(t: TestContext, overrides: Record<string, string> = {}): Promise<ProxyProcessSetup> {
  const setup = await prepareProxyProcess({
    MCP_AUTH_PROXY_SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS),
    ...overrides,
  });
  t.after(() => setup.close());
  return setup;
}

async function spawnProxy(t: TestContext, setup: ProxyProcessSetup): Promise<ProxyProcess> {
  const proxy = await spawnProxyProcess(setup, 'source');
  t.after(() => proxy.dispose());
  return proxy;
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
  it('on SIGTERM ends the GET stream at once, cuts a tool call at the grace, stops the MCP server and exits 0', async (t) => {
    const setup = await setUp(t);
    const proxy = await spawnProxy(t, setup);
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
    assert.equal(
      await sseEnded,
      'ended',
      'the standalone stream was ended cleanly, for the client to resume',
    );
    assert.equal(await callEnded, 'cut', 'an unfinished tool call must not look complete');
    assert.equal(await waitForProcessGone(mcpPid as number), true, 'the MCP server outlived the proxy');
    const events = proxy.lines.map((line) => line['event']);
    assert.ok(events.includes('server.shutdown_started'), proxy.output());
    assert.ok(events.includes('server.shutdown_grace_expired'), 'the streams were cut at the grace period');
    assert.ok(events.includes('server.shutdown_complete'), proxy.output());
  });

  it('with MCP_AUTH_PROXY_VERIFY_RELEASE=true starts everything, checks, and exits 0', async (t) => {
    const setup = await setUp(t, { MCP_AUTH_PROXY_VERIFY_RELEASE: 'true' });
    const proxy = await spawnProxy(t, setup);
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
    const proxy = await spawnProxy(t, setup);
    const exit = await exitWithin(proxy, EXIT_DEADLINE_MS);
    assert.notEqual(exit.code, 0, proxy.output());
    assert.equal(exit.signal, null);
    const failure = proxy.lines.find((line) => line['event'] === 'server.start_failed');
    assert.ok(failure !== undefined, proxy.output());
    assert.match(JSON.stringify(failure), /identity|issuer|discovery|metadata|ECONNREFUSED|fetch/i);
    assert.ok(!proxy.lines.some((line) => line['event'] === 'server.listening'), 'it never served');
  });
});
