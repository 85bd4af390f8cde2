/**
 * How stdio bridge sessions end, and that their processes go with them:
 * DELETE, the child's own exit, the idle timeout, the cap on concurrent
 * children, and the proxy's shutdown.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { processGone, waitForProcessGone } from '../../support/child-fixtures/process-gone.ts';
import type { TestProxy } from '../../support/test-proxy.ts';
import {
  assertTemporarilyUnavailable,
  eventually,
  initializeRaw,
  logIn,
  postMcp,
  type LoggedIn,
} from '../proxy/proxy-steps.ts';
import { deleteSession, openStdioSession, startStdioProxy } from './stdio-steps.ts';

/** A request in the session: 404 once the session has ended. */
async function sessionStatus(mcpUrl: string, user: LoggedIn, sessionId: string): Promise<number> {
  const response = await postMcp(
    mcpUrl,
    user.tokens.access_token,
    { id: 5, method: 'tools/list' },
    {
      'mcp-session-id': sessionId,
    },
  );
  await response.arrayBuffer();
  return response.status;
}

describe('stdio bridge session lifecycle', () => {
  let proxy: TestProxy;
  let alice: LoggedIn;
  before(async () => {
    proxy = await startStdioProxy();
    alice = await logIn(proxy.mcpUrl, 'alice');
  });
  after(async () => {
    await proxy.close();
  });

  it('ends the session and stops its child on DELETE', async () => {
    const session = await openStdioSession(proxy.mcpUrl, alice);
    const deleted = await deleteSession(proxy.mcpUrl, alice.tokens, session.sessionId);
    assert.equal(deleted.status, 200);
    await deleted.arrayBuffer();
    assert.ok(await waitForProcessGone(session.pid), `child ${session.pid} is gone`);
    assert.equal(await sessionStatus(proxy.mcpUrl, alice, session.sessionId), 404);
    await session.client.close();
  });

  it('ends the session when its child exits on its own', async () => {
    const session = await openStdioSession(proxy.mcpUrl, alice);
    // The child dies without answering: the bridge answers the open call with an error.
    await assert.rejects(
      session.client.callTool({ name: 'exit', arguments: { code: 3 } }),
      /MCP server process has ended/,
    );
    assert.ok(await waitForProcessGone(session.pid), `child ${session.pid} is gone`);
    await eventually('the session to end', async () =>
      (await sessionStatus(proxy.mcpUrl, alice, session.sessionId)) === 404 ? true : undefined,
    );
    assert.ok(
      proxy.logs.some(
        (line) => line['event'] === 'stdio_bridge.session_ended' && line['reason'] === 'child_exited',
      ),
    );
    await session.client.close();
  });

  it('refuses a session id that never existed with 404', async () => {
    assert.equal(await sessionStatus(proxy.mcpUrl, alice, 'never-issued'), 404);
  });
});

describe('stdio bridge idle sessions', () => {
  let proxy: TestProxy;
  let alice: LoggedIn;
  before(async () => {
    proxy = await startStdioProxy({ MCP_SERVER_STDIO_IDLE_TIMEOUT_MS: '300' });
    alice = await logIn(proxy.mcpUrl, 'alice');
  });
  after(async () => {
    await proxy.close();
  });

  it('ends a session without requests after the idle timeout and stops its child', async () => {
    const session = await openStdioSession(proxy.mcpUrl, alice);
    // Closing the client ends its GET stream but sends no DELETE: the session is idle from here on.
    await session.client.close();
    assert.ok(await waitForProcessGone(session.pid, 20_000), `child ${session.pid} is gone`);
    assert.equal(await sessionStatus(proxy.mcpUrl, alice, session.sessionId), 404);
    assert.ok(
      proxy.logs.some((line) => line['event'] === 'stdio_bridge.session_ended' && line['reason'] === 'idle'),
    );
  });

  it('keeps a session whose tool call outlasts the idle timeout', async () => {
    const session = await openStdioSession(proxy.mcpUrl, alice);
    // Three steps of 400 ms: the request stays open longer than the 300 ms timeout.
    const result = await session.client.callTool({ name: 'progress', arguments: { count: 3, delayMs: 400 } });
    assert.deepEqual(result.content, [{ type: 'text', text: 'done 3' }]);
    assert.equal(await processGone(session.pid), false);
    await session.transport.terminateSession();
    await session.client.close();
  });
});

describe('stdio bridge session cap', () => {
  let proxy: TestProxy;
  let alice: LoggedIn;
  before(async () => {
    proxy = await startStdioProxy({ MCP_SERVER_STDIO_MAX_SESSIONS: '2' });
    alice = await logIn(proxy.mcpUrl, 'alice');
  });
  after(async () => {
    await proxy.close();
  });

  it('answers 503 with Retry-After past the cap, and admits a session again once one ends', async () => {
    const first = await openStdioSession(proxy.mcpUrl, alice);
    const second = await openStdioSession(proxy.mcpUrl, alice);
    await assertTemporarilyUnavailable(await initializeRaw(proxy.mcpUrl, alice.tokens.access_token));
    assert.ok(proxy.logs.some((line) => line['event'] === 'stdio_bridge.capacity_reached'));

    await first.transport.terminateSession();
    await first.client.close();
    const third = await openStdioSession(proxy.mcpUrl, alice);
    assert.notEqual(third.pid, first.pid);
    for (const session of [second, third]) {
      await session.transport.terminateSession();
      await session.client.close();
    }
  });
});

describe('stdio bridge shutdown', () => {
  it('stops every child when the proxy closes, leaving no process behind', async () => {
    const proxy = await startStdioProxy();
    try {
      const alice = await logIn(proxy.mcpUrl, 'alice');
      const bob = await logIn(proxy.mcpUrl, 'bob');
      const sessions = [
        await openStdioSession(proxy.mcpUrl, alice),
        await openStdioSession(proxy.mcpUrl, bob),
      ];
      // A call still running when the proxy stops.
      const running = sessions[0]!.client
        .callTool({ name: 'progress', arguments: { count: 100, delayMs: 1_000 } })
        .catch(() => 'cut off');
      await proxy.stop();
      for (const { pid } of sessions) assert.ok(await waitForProcessGone(pid, 2_000), `child ${pid} is gone`);
      assert.equal(await running, 'cut off');
      for (const session of sessions) await session.client.close();
    } finally {
      await proxy.close();
    }
  });
});
