import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { childEnvironment } from '../../../src/stdio-bridge/child-environment.ts';

const stdio = {
  env: { API_BASE: 'https://api.example.com', PATH: '/opt/bin' },
  tokenEnv: 'GH_TOKEN',
  userIdEnv: 'GH_USER',
};
const identity = { accountId: 'user-42', upstreamToken: 'idp-token-value' };

describe('the environment of a stdio MCP server process', () => {
  it("holds the user's IdP token and account id under the configured names", () => {
    const env = childEnvironment({}, stdio, identity);
    assert.equal(env['GH_TOKEN'], 'idp-token-value');
    assert.equal(env['GH_USER'], 'user-42');
  });

  it("inherits only the basics from the proxy's environment, never its secrets", () => {
    const env = childEnvironment(
      {
        HOME: '/home/app',
        LANG: 'C.UTF-8',
        IDENTITY_CLIENT_SECRET: 'client-secret',
        MCP_AUTH_PROXY_ENCRYPTION_KEY: 'key',
        OIDC_PROVIDER_JWKS: '[]',
        UNSET: undefined,
      },
      stdio,
      identity,
    );
    assert.deepEqual(Object.keys(env).sort(), ['API_BASE', 'GH_TOKEN', 'GH_USER', 'HOME', 'LANG', 'PATH']);
  });

  it('lays MCP_SERVER_RUN_ENV_JSON over the inherited variables, and the identity over both', () => {
    const env = childEnvironment(
      { PATH: '/usr/bin' },
      { ...stdio, env: { ...stdio.env, GH_TOKEN: 'configured' } },
      identity,
    );
    assert.equal(env['PATH'], '/opt/bin');
    assert.equal(env['GH_TOKEN'], 'idp-token-value');
  });
});
