import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { authorizeWithSdk, TestOAuthClient } from '../support/sdk-oauth-client.ts';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { UserAgent } from '../support/user-agent.ts';

describe('an MCP SDK client logs in through the proxy (SQLite store)', () => {
  let proxy: TestProxy;
  before(async () => {
    proxy = await startTestProxy();
  });
  after(async () => {
    await proxy.close();
  });

  it('discovers, registers, confirms, signs in upstream and leaves with tokens', async () => {
    const client = new TestOAuthClient();
    const agent = new UserAgent();
    const result = await authorizeWithSdk(proxy.mcpUrl, client, agent, { username: 'alice' });
    assert.equal(result.confirmationShown, true);
    assert.equal(result.callback.searchParams.get('iss'), proxy.baseUrl);
    assert.equal(result.tokens.token_type.toLowerCase(), 'bearer');
    assert.ok(result.tokens.refresh_token, 'a refresh token is issued');

    const mcpClient = new Client({ name: 'e2e', version: '1.0.0' });
    await mcpClient.connect(
      new StreamableHTTPClientTransport(new URL(proxy.mcpUrl), { authProvider: client }),
    );
    const whoami = await mcpClient.callTool({ name: 'whoami', arguments: {} });
    assert.match(JSON.stringify(whoami.content), /alice/);
    await mcpClient.close();
  });
});
