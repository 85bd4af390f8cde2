import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeConfig, formatProblems, loadConfig } from '../../../src/config/index.ts';
import { loadOk, MINIMAL_ENV, privateJwk } from './config-fixtures.ts';

const ENCRYPTION_KEY = 'c2VjcmV0LWVuY3J5cHRpb24ta2V5LTMyLWJ5dGVzISE=';
const jwk = privateJwk('ed25519', 'signing-1');
const SECRETS = {
  IDENTITY_CLIENT_SECRET: 'idp-client-secret-value',
  MCP_AUTH_PROXY_REDIS_URL: 'rediss://default:redis-password-value@redis.internal:6380/0',
  MCP_AUTH_PROXY_ENCRYPTION_KEY: ENCRYPTION_KEY,
  OIDC_PROVIDER_JWKS: JSON.stringify([jwk]),
  MCP_SERVER_RUN_ENV_JSON: '{"UPSTREAM_API_KEY":"child-api-key-value"}',
};
const SECRET_FRAGMENTS = [
  'idp-client-secret-value',
  'redis-password-value',
  ENCRYPTION_KEY,
  'c2VjcmV0',
  jwk.d!,
  'child-api-key-value',
];

function assertNoSecret(text: string): void {
  for (const fragment of SECRET_FRAGMENTS)
    assert.ok(!text.includes(fragment), `leaked ${fragment} in ${text}`);
}

describe('secrets', () => {
  it('never appear in describeConfig, which marks them [set]', () => {
    const { config } = loadOk({ ...MINIMAL_ENV, ...SECRETS, MCP_SERVER_RUN_COMMAND: 'node' });
    const description = describeConfig(config);
    const text = JSON.stringify(description);
    assertNoSecret(text);
    assert.equal((description.identity as Record<string, unknown>).clientSecret, '[set]');
    assert.deepEqual(description.store, {
      kind: 'redis',
      url: 'rediss://[set]@redis.internal:6380/0',
      keyPrefix: 'oidc:',
      tlsRejectUnauthorized: false,
    });
    assert.deepEqual(description.keys, { signingKeys: ['[set] OKP kid=signing-1'], encryptionKey: '[set]' });
    assert.deepEqual((description.servers as [{ run: { env: unknown } }])[0].run.env, {
      UPSTREAM_API_KEY: '[set]',
    });
  });

  it('never appear in problems, even when the values themselves are wrong', () => {
    const result = loadConfig(
      {
        ...MINIMAL_ENV,
        IDENTITY_CLIENT_SECRET: 'idp-client-secret-value',
        MCP_AUTH_PROXY_REDIS_URL: 'http://u:redis-password-value@redis.internal',
        MCP_AUTH_PROXY_ENCRYPTION_KEY: 'c2VjcmV0-not-a-key',
        OIDC_PROVIDER_JWKS: `[{"kty":"OKP","d":"${jwk.d!}"`,
        MCP_SERVER_RUN_COMMAND: 'node',
        MCP_SERVER_RUN_ENV_JSON: '{"UPSTREAM_API_KEY":"child-api-key-value", bad}',
      },
      { cwd: '/srv/app' },
    );
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(result.problems.map((problem) => problem.variable).sort(), [
      'MCP_AUTH_PROXY_ENCRYPTION_KEY',
      'MCP_AUTH_PROXY_REDIS_URL',
      'MCP_SERVER_RUN_ENV_JSON',
      'OIDC_PROVIDER_JWKS',
    ]);
    assertNoSecret(formatProblems(result.problems));
  });

  it('shows the MCP server URL and identity URL without credentials or credential-bearing query values', () => {
    const { config } = loadOk({
      ...MINIMAL_ENV,
      MCP_SERVER_URL: 'http://user:pw-value@127.0.0.1:3001/mcp?token=tok-value&x=1',
    });
    const text = JSON.stringify(describeConfig(config));
    assert.ok(!text.includes('pw-value') && !text.includes('tok-value'), text);
    assert.match(text, /http:\/\/\[set\]@127\.0\.0\.1:3001\/mcp\?token=%5Bredacted%5D&x=1/);
  });
});

describe('formatProblems', () => {
  it('lists every problem on its own line under a count', () => {
    const report = formatProblems([
      { variable: 'PORT', message: 'PORT must be a whole number from 0 to 65535, got "x"' },
      { variable: 'BASE_URL', message: 'BASE_URL is required but not set.' },
    ]);
    assert.equal(
      report,
      [
        'The configuration has 2 problems:',
        '  - PORT must be a whole number from 0 to 65535, got "x"',
        '  - BASE_URL is required but not set.',
        'Every variable is described in docs/configuration.md.',
      ].join('\n'),
    );
  });
});
