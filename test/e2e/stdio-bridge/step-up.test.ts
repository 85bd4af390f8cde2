/**
 * Scope rules apply to the stdio bridge as to the HTTP proxy: a tool call the
 * token's scopes do not cover is answered with the step-up challenge before a
 * child sees it, and the SDK client that authorizes again for the named
 * scopes carries on in the same session.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { authorizeWithSdk, loginInBrowser } from '../../support/sdk-oauth-client.ts';
import type { TestProxy } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { SpecOAuthClient } from '../spec/spec-oauth-client.ts';
import { connectMcp, textOf } from '../proxy/proxy-steps.ts';
import { startStdioProxy } from './stdio-steps.ts';

describe('step-up through the stdio bridge', () => {
  let proxy: TestProxy;
  before(async () => {
    proxy = await startStdioProxy({
      PROVIDER_SCOPE: 'openid offline_access env:read',
      MCP_AUTH_PROXY_SCOPE_RULES: 'tools/call env=env:read',
    });
  });
  after(async () => {
    await proxy.close();
  });

  // req: A2.5
  it('challenges a tool call that needs a step-up scope, and serves it after the new authorization', async () => {
    const oauth = new SpecOAuthClient();
    const agent = new UserAgent();
    await authorizeWithSdk(proxy.mcpUrl, oauth, agent, { username: 'alice' });
    const { client, transport } = await connectMcp(proxy.mcpUrl, oauth);
    assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { text: 'free' } })), 'free');

    oauth.authorizationUrl = undefined;
    await assert.rejects(client.callTool({ name: 'env', arguments: { name: 'HOME' } }), UnauthorizedError);
    const url = oauth.authorizationUrl as URL | undefined;
    assert.ok(url, 'the client was sent to sign in again');
    assert.match(url.searchParams.get('scope') ?? '', /env:read/);
    const login = await loginInBrowser(agent, url, oauth.redirectUrl, { username: 'alice' });
    await transport.finishAuth(login.callback.searchParams.get('code') ?? '');

    const result = await client.callTool({ name: 'env', arguments: { name: 'HOME' } });
    assert.notEqual(result.isError, true, JSON.stringify(result));
    await transport.terminateSession();
    await client.close();
  });
});
