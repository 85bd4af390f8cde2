/**
 * PROVIDER_SCOPE with scopes of the deployment's own (Heroku users set
 * `global`, for one): a login that asks for them, or for nothing, ends with
 * tokens that carry them. oidc-provider counts every configured scope as an
 * OP scope, and a grant that held them for the resource only sent the browser
 * back through the login forever.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { obtainTokens, mcpStatusWith } from '../../support/raw-oauth.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';

describe('logins with custom PROVIDER_SCOPE scopes', () => {
  let proxy: TestProxy;
  before(async () => {
    proxy = await startTestProxy({ env: { PROVIDER_SCOPE: 'openid offline_access global' } });
  });
  after(async () => {
    await proxy.close();
  });

  // req: A7.4
  it('grants every scope to a client that names none, and the token opens the MCP endpoint', async () => {
    const { tokens } = await obtainTokens(proxy.baseUrl, { overrides: { scope: undefined } });
    assert.deepEqual(tokens.scope?.split(' ').sort(), ['global', 'offline_access', 'openid']);
    assert.equal(await mcpStatusWith(proxy.mcpUrl, tokens.access_token), 200);
  });

  it('grants a custom scope asked for alone, without openid', async () => {
    const { tokens } = await obtainTokens(proxy.baseUrl, { overrides: { scope: 'global' } });
    assert.equal(tokens.scope, 'global');
    assert.equal(await mcpStatusWith(proxy.mcpUrl, tokens.access_token), 200);
  });
});
