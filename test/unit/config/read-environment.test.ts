import assert from 'node:assert/strict';
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
});
