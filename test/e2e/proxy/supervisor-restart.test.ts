/**
 * The supervised MCP server dies under the running app: MCP requests get a
 * retryable 503 while it is down, and succeed again once the supervisor has
 * restarted it, without restarting the proxy or logging in again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitForProcessGone } from '../../support/child-fixtures/process-gone.ts';
import { startTestProxy, type SupervisedTestProxy } from '../../support/test-proxy.ts';
import {
  assertTemporarilyUnavailable,
  connectMcp,
  eventually,
  initializeRaw,
  logIn,
  textOf,
  type LoggedIn,
} from './proxy-steps.ts';

describe('the supervised MCP server crashes while the app runs', () => {
  let proxy: SupervisedTestProxy;
  let alice: LoggedIn;
  before(async () => {
    proxy = await startTestProxy({ supervisedMcp: {} });
    alice = await logIn(proxy.mcpUrl, 'alice');
  });
  after(async () => {
    await proxy.close();
  });

  it('answers 503 with Retry-After while the MCP server is down, then serves again after the restart', async () => {
    const before = await connectMcp(proxy.mcpUrl, alice.oauth);
    assert.equal(textOf(await before.client.callTool({ name: 'echo', arguments: { text: 'up' } })), 'up');
    const crashedPid = proxy.supervisor.pid();
    assert.ok(crashedPid !== undefined);

    process.kill(crashedPid, 'SIGKILL');
    await eventually('the supervisor to notice the crash', () =>
      proxy.supervisor.isRunning() ? undefined : true,
    );

    // The restart waits out its backoff (500 ms) and the new server's start-up: still down now.
    await assertTemporarilyUnavailable(await initializeRaw(proxy.mcpUrl, alice.tokens.access_token));
    assert.equal(await waitForProcessGone(crashedPid), true);
    // The rest of the app is unaffected meanwhile.
    const metadata = await fetch(`${proxy.baseUrl}/.well-known/oauth-protected-resource/mcp`);
    assert.equal(metadata.status, 200);
    await metadata.arrayBuffer();

    const recovered = await eventually('the MCP server to answer again', async () => {
      const response = await initializeRaw(proxy.mcpUrl, alice.tokens.access_token);
      if (response.status === 503) {
        await assertTemporarilyUnavailable(response);
        return undefined;
      }
      return response;
    });
    assert.equal(recovered.status, 200, await recovered.clone().text());
    await recovered.arrayBuffer();
    const restartedPid = proxy.supervisor.pid();
    assert.ok(restartedPid !== undefined && restartedPid !== crashedPid);

    // The old MCP session died with the old server; the same login opens a new one.
    await before.client.close();
    const afterRestart = await connectMcp(proxy.mcpUrl, alice.oauth);
    assert.equal(
      textOf(await afterRestart.client.callTool({ name: 'echo', arguments: { text: 'back' } })),
      'back',
    );
    await afterRestart.client.close();

    const events = proxy.logs.map((line) => line['event']);
    assert.ok(events.includes('supervisor.child_exited'), events.join(', '));
    assert.ok(events.includes('supervisor.child_restarted'), events.join(', '));
  });

  it('recovers from a second crash as well', async () => {
    const crashedPid = proxy.supervisor.pid();
    assert.ok(crashedPid !== undefined);
    process.kill(crashedPid, 'SIGKILL');
    await eventually('the supervisor to notice the crash', () =>
      proxy.supervisor.isRunning() ? undefined : true,
    );
    await assertTemporarilyUnavailable(await initializeRaw(proxy.mcpUrl, alice.tokens.access_token));
    await eventually('the MCP server to answer again', () =>
      proxy.supervisor.isRunning() ? true : undefined,
    );
    const { client } = await connectMcp(proxy.mcpUrl, alice.oauth);
    assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { text: 'again' } })), 'again');
    await client.close();
  });
});
