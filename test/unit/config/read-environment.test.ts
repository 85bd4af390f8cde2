import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, readEnvironment } from '../../../src/config/index.ts';
import { MINIMAL_ENV, temporaryDirectory } from './config-fixtures.ts';

describe('readEnvironment', () => {
  it('reads the .env file in the working directory', (t) => {
    const cwd = temporaryDirectory(t);
    writeFileSync(
      join(cwd, '.env'),
      [
        '# comment',
        'BASE_URL=https://from-file.example.com',
        'MCP_SERVER_RUN_ARGS_JSON=\'["a","b"]\'',
        'PROVIDER_SCOPE="openid offline_access"',
      ].join('\n'),
    );
    const env = readEnvironment({ cwd, processEnv: {} });
    assert.equal(env.BASE_URL, 'https://from-file.example.com');
    assert.equal(env.MCP_SERVER_RUN_ARGS_JSON, '["a","b"]');
    assert.equal(env.PROVIDER_SCOPE, 'openid offline_access');
  });

  it('lets the real environment win over the .env file', (t) => {
    const cwd = temporaryDirectory(t);
    writeFileSync(join(cwd, '.env'), 'BASE_URL=https://from-file.example.com\nPORT=4000\n');
    const env = readEnvironment({
      cwd,
      processEnv: { BASE_URL: 'https://real.example.com', PORT: undefined },
    });
    assert.equal(env.BASE_URL, 'https://real.example.com');
    assert.equal(env.PORT, '4000');
  });

  it('returns the real environment alone when there is no .env file', (t) => {
    const cwd = temporaryDirectory(t);
    assert.deepEqual(readEnvironment({ cwd, processEnv: { A: '1' } }), { A: '1' });
  });

  it('fails loudly when .env exists but cannot be read', (t) => {
    const cwd = temporaryDirectory(t);
    mkdirSync(join(cwd, '.env'));
    assert.throws(() => readEnvironment({ cwd, processEnv: {} }), { code: 'EISDIR' });
  });

  it('feeds loadConfig: a .env file alone can configure the proxy', (t) => {
    const cwd = temporaryDirectory(t);
    writeFileSync(
      join(cwd, '.env'),
      Object.entries(MINIMAL_ENV)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
    );
    const result = loadConfig(readEnvironment({ cwd, processEnv: { PORT: '5050' } }), { cwd });
    assert.equal(result.ok, true);
    assert.equal(result.ok && result.config.port, 5050);
  });

  it("reads the Heroku proxy's .env-example shape: empty values are unset, defaults shown as comments", (t) => {
    const cwd = temporaryDirectory(t);
    writeFileSync(
      join(cwd, '.env'),
      [
        'LOCAL_INSECURE=true',
        'PORT=3001',
        'BASE_URL=http://localhost:3001',
        'MCP_SERVER_URL=http://localhost:3000/mcp',
        'IDENTITY_SERVER_URL=https://id.example.com',
        'IDENTITY_CLIENT_ID=client-123',
        'IDENTITY_SCOPE=',
        'IDENTITY_SERVER_METADATA_FILE=',
        'OIDC_PROVIDER_JWKS=',
        '# MAX_REQUESTS=60',
        '# MAX_REQUESTS_WINDOW=60000',
        'export BRANDING_TITLE=Acme',
      ].join('\n'),
    );
    const result = loadConfig(readEnvironment({ cwd, processEnv: {} }), { cwd });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    assert.deepEqual(result.config.identity.scopes, ['openid', 'profile', 'email'], 'the default scope');
    assert.equal(result.config.identity.metadataFile, undefined);
    assert.equal(result.config.keys.signingKeys, undefined, 'keys are generated and kept');
    assert.equal(result.config.rateLimit.authMaxRequests, 60);
    assert.equal(result.config.pages.brandingTitle, 'Acme', 'an `export` prefix is allowed');
  });

  it("reads the Heroku proxy's .env-test shape: inline comments, multi-line single-quoted JWKS, relative files", (t) => {
    const cwd = temporaryDirectory(t);
    mkdirSync(join(cwd, 'test', 'mocks'), { recursive: true });
    writeFileSync(
      join(cwd, 'test', 'mocks', 'idp_metadata.json'),
      JSON.stringify({
        issuer: 'http://localhost:3002',
        authorization_endpoint: 'http://localhost:3002/oauth/authorize',
        token_endpoint: 'http://localhost:3002/oauth/token',
      }),
    );
    const jwk = (type: 'ed25519' | 'ec') =>
      JSON.stringify(
        (type === 'ec'
          ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
          : generateKeyPairSync('ed25519')
        ).privateKey.export({ format: 'jwk' }),
        null,
        2,
      );
    writeFileSync(
      join(cwd, '.env'),
      [
        'LOCAL_INSECURE=true',
        'BASE_URL=http://localhost:3001',
        'MCP_SERVER_URL=http://localhost:3000/mcp',
        'MCP_SERVER_RUN_COMMAND="node"',
        'MCP_SERVER_RUN_DIR="test"',
        `MCP_SERVER_RUN_ENV_JSON='{"PORT":3000}'`,
        'IDENTITY_SERVER_URL=http://localhost:3002',
        'IDENTITY_CLIENT_ID=test_identity_client_id',
        "IDENTITY_SERVER_METADATA_FILE='test/mocks/idp_metadata.json'",
        `OIDC_PROVIDER_JWKS='[${jwk('ed25519')},${jwk('ec')}]'`,
        'MAX_REQUESTS=1 # Limit for testing',
        'OTEL_SDK_DISABLE="true"',
      ].join('\n'),
    );
    const result = loadConfig(readEnvironment({ cwd, processEnv: {} }), { cwd });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    assert.equal(result.config.rateLimit.authMaxRequests, 1, 'the comment is not part of the value');
    assert.equal(result.config.keys.signingKeys?.length, 2);
    assert.equal(result.config.identity.metadataFile, join(cwd, 'test', 'mocks', 'idp_metadata.json'));
    assert.equal(
      result.config.servers[0].transport === 'http' && result.config.servers[0].run?.cwd,
      join(cwd, 'test'),
    );
    assert.deepEqual(result.config.servers[0].transport === 'http' && result.config.servers[0].run?.env, {
      PORT: '3000',
    });
  });
});
