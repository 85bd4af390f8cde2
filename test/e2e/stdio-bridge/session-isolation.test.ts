/**
 * Two users never see each other's session: each gets a child of their own
 * with their own IdP token, and a session id is worth nothing to anyone but
 * the user who opened it (it answers exactly like an unknown one).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestProxy } from '../../support/test-proxy.ts';
import { logIn, postMcp, textOf, type LoggedIn } from '../proxy/proxy-steps.ts';
import {
  deleteSession,
  openStdioSession,
  startStdioProxy,
  whoami,
  type StdioSession,
} from './stdio-steps.ts';

describe('stdio bridge sessions of two users', () => {
  let proxy: TestProxy;
  let alice: LoggedIn;
  let bob: LoggedIn;
  let aliceSession: StdioSession;
  let bobSession: StdioSession;
  before(async () => {
    proxy = await startStdioProxy();
    alice = await logIn(proxy.mcpUrl, 'alice');
    bob = await logIn(proxy.mcpUrl, 'bob');
    aliceSession = await openStdioSession(proxy.mcpUrl, alice);
    bobSession = await openStdioSession(proxy.mcpUrl, bob);
  });
  after(async () => {
    await aliceSession.client.close();
    await bobSession.client.close();
    await proxy.close();
  });

  it('runs a separate child for each user, each with its own IdP token', async () => {
    assert.notEqual(aliceSession.pid, bobSession.pid);
    assert.notEqual(aliceSession.sessionId, bobSession.sessionId);
    const aliceSeen = await whoami(aliceSession);
    const bobSeen = await whoami(bobSession);
    assert.equal(proxy.idp.userForAccessToken(aliceSeen.token ?? ''), 'alice');
    assert.equal(proxy.idp.userForAccessToken(bobSeen.token ?? ''), 'bob');
    assert.equal(aliceSeen.userId, proxy.idp.userIdFor('alice'));
    assert.equal(bobSeen.userId, proxy.idp.userIdFor('bob'));
  });

  it("answers bob's use of alice's session id with 404, exactly like an unknown session", async () => {
    const foreign = await postMcp(
      proxy.mcpUrl,
      bob.tokens.access_token,
      { id: 9, method: 'tools/call', params: { name: 'whoami', arguments: {} } },
      { 'mcp-session-id': aliceSession.sessionId },
    );
    const unknown = await postMcp(
      proxy.mcpUrl,
      bob.tokens.access_token,
      { id: 9, method: 'tools/call', params: { name: 'whoami', arguments: {} } },
      { 'mcp-session-id': '00000000-0000-4000-8000-000000000000' },
    );
    assert.equal(foreign.status, 404);
    assert.equal(unknown.status, 404);
    assert.equal(foreign.headers.get('content-type'), unknown.headers.get('content-type'));
    assert.equal(await foreign.text(), await unknown.text());
  });

  it("refuses bob's GET stream and DELETE on alice's session, and alice's session lives on", async () => {
    const stream = await fetch(proxy.mcpUrl, {
      headers: {
        authorization: `Bearer ${bob.tokens.access_token}`,
        accept: 'text/event-stream',
        'mcp-session-id': aliceSession.sessionId,
      },
    });
    assert.equal(stream.status, 404);
    await stream.arrayBuffer();
    const deleted = await deleteSession(proxy.mcpUrl, bob.tokens, aliceSession.sessionId);
    assert.equal(deleted.status, 404);
    await deleted.arrayBuffer();

    const echoed = await aliceSession.client.callTool({ name: 'echo', arguments: { text: 'still mine' } });
    assert.equal(textOf(echoed), 'still mine');
    assert.equal(
      Number(textOf(await aliceSession.client.callTool({ name: 'pid', arguments: {} }))),
      aliceSession.pid,
    );
  });

  it('lets the same user open a second session with a child of its own', async () => {
    const second = await openStdioSession(proxy.mcpUrl, alice);
    assert.notEqual(second.pid, aliceSession.pid);
    assert.notEqual(second.sessionId, aliceSession.sessionId);
    await second.transport.terminateSession();
    await second.client.close();
  });
});
