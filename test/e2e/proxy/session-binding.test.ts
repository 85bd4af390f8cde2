/**
 * A session id is not a credential, and a session belongs to the user who
 * opened it: another user's request with it is answered as if the session did
 * not exist, and never reaches the MCP server (Security Best Practices,
 * session hijacking; A3.7).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authorizeWithSdk, TestOAuthClient } from '../../support/sdk-oauth-client.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { initializeRaw, postMcp } from './proxy-steps.ts';

const TOOLS_LIST = { id: 2, method: 'tools/list', params: {} };

describe('binding an MCP session to the user who opened it', () => {
  let proxy: TestProxy;
  let aliceToken: string;
  let bobToken: string;

  before(async () => {
    proxy = await startTestProxy();
    // Two users of one client application: same client_id, different accounts.
    const alice = new TestOAuthClient();
    aliceToken = (await authorizeWithSdk(proxy.mcpUrl, alice, new UserAgent(), { username: 'alice' })).tokens
      .access_token;
    const bob = new TestOAuthClient();
    const registration = alice.clientInformation();
    assert.ok(registration !== undefined);
    bob.saveClientInformation(registration);
    bobToken = (await authorizeWithSdk(proxy.mcpUrl, bob, new UserAgent(), { username: 'bob' })).tokens
      .access_token;
  });
  after(async () => {
    await proxy.close();
  });

  // req: A3.7
  it("answers 404 to another user's request with a session id, without forwarding it", async () => {
    const initialized = await initializeRaw(proxy.mcpUrl, aliceToken);
    assert.equal(initialized.status, 200, await initialized.text());
    const sessionId = initialized.headers.get('mcp-session-id');
    assert.ok(sessionId !== null && sessionId.length > 0);

    const seenBefore = proxy.mcp.seenHeaders.length;
    const hijack = await postMcp(proxy.mcpUrl, bobToken, TOOLS_LIST, { 'mcp-session-id': sessionId });
    assert.equal(hijack.status, 404);
    assert.match(hijack.headers.get('content-type') ?? '', /application\/json/);
    // The MCP SDK's own answer for a session it does not know.
    assert.deepEqual(await hijack.json(), {
      jsonrpc: '2.0',
      error: { code: -32001, message: 'Session not found' },
      id: null,
    });
    assert.equal(proxy.mcp.seenHeaders.length, seenBefore, 'the MCP server saw the hijack attempt');

    const own = await postMcp(proxy.mcpUrl, aliceToken, TOOLS_LIST, { 'mcp-session-id': sessionId });
    assert.equal(own.status, 200, await own.clone().text());
    assert.match(await own.text(), /echo/);
    assert.equal(proxy.mcp.seenHeaders.length, seenBefore + 1);
  });

  it('answers a stranger exactly as it answers a session that does not exist', async () => {
    const initialized = await initializeRaw(proxy.mcpUrl, aliceToken);
    const sessionId = initialized.headers.get('mcp-session-id') ?? '';
    await initialized.body?.cancel();

    const hijack = await postMcp(proxy.mcpUrl, bobToken, TOOLS_LIST, { 'mcp-session-id': sessionId });
    const unknownSessionId = crypto.randomUUID();
    const unknown = await postMcp(proxy.mcpUrl, bobToken, TOOLS_LIST, { 'mcp-session-id': unknownSessionId });
    assert.equal(hijack.status, 404);
    assert.equal(hijack.status, unknown.status);
    assert.equal(hijack.headers.get('content-type'), unknown.headers.get('content-type'));
    assert.deepEqual(await hijack.json(), await unknown.json());
  });
});
