import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseEnv } from 'node:util';
import { loadConfig } from '../../../src/config/index.ts';
import { runInProcess, runProcess, temporaryDirectory } from './cli-harness.ts';

const FLAGS = [
  '--base-url',
  'http://localhost:4000',
  '--mcp-server-url',
  'http://127.0.0.1:3001/mcp',
  '--identity-server-url',
  'https://id.example.com',
  '--identity-client-id',
  'proxy-client',
  '--identity-client-secret',
  's3cret with spaces',
];

async function readEnvFile(dir: string): Promise<Record<string, string>> {
  return parseEnv(await readFile(join(dir, '.env'), 'utf8')) as Record<string, string>;
}

describe('mcp-auth-proxy init', () => {
  it('writes a .env that loadConfig accepts, with generated keys, mode 0600 and the redirect URI printed', async (t) => {
    const cwd = await temporaryDirectory(t, 'init');
    const run = await runInProcess(['init', ...FLAGS], { cwd });
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /Register this redirect URI at your identity provider: http:\/\/localhost:4000\/interaction\/identity\/callback/,
    );

    const env = await readEnvFile(cwd);
    assert.equal(env['BASE_URL'], 'http://localhost:4000');
    assert.equal(env['LOCAL_INSECURE'], 'true', 'an http BASE_URL on this machine needs LOCAL_INSECURE');
    assert.equal(env['IDENTITY_CLIENT_SECRET'], 's3cret with spaces');
    assert.equal(env['MCP_AUTH_PROXY_REDIS_URL'], undefined);
    const keys = JSON.parse(env['OIDC_PROVIDER_JWKS'] ?? '[]') as Array<Record<string, unknown>>;
    assert.deepEqual(
      keys.map((key) => [key['kty'], key['alg'], typeof key['kid'], typeof key['d']]),
      [
        ['RSA', 'RS256', 'string', 'string'],
        ['EC', 'ES256', 'string', 'string'],
      ],
    );
    assert.equal(Buffer.from(env['MCP_AUTH_PROXY_ENCRYPTION_KEY'] ?? '', 'base64url').length, 32);
    assert.equal((await stat(join(cwd, '.env'))).mode & 0o777, 0o600);

    const result = loadConfig(env, { cwd });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    assert.equal(result.config.keys.encryptionKey.kind, 'explicit');
    assert.equal(result.config.keys.signingKeys?.length, 2);
  });

  it('refuses to overwrite an existing .env without --force, and replaces it with --force', async (t) => {
    const cwd = await temporaryDirectory(t, 'init-force');
    await writeFile(join(cwd, '.env'), 'BASE_URL=https://keep.example.com\n');
    const refused = await runInProcess(['init', ...FLAGS], { cwd });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /already exists; nothing was written\. Pass --force/);
    assert.equal(await readFile(join(cwd, '.env'), 'utf8'), 'BASE_URL=https://keep.example.com\n');

    const forced = await runInProcess(['init', ...FLAGS, '--force'], { cwd });
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal((await readEnvFile(cwd))['BASE_URL'], 'http://localhost:4000');
  });

  it('takes the defaults with --yes and needs only the identity provider', async (t) => {
    const cwd = await temporaryDirectory(t, 'init-yes');
    const run = await runInProcess(
      ['init', '--yes', '--identity-server-url', 'https://id.example.com', '--identity-client-id', 'c1'],
      { cwd },
    );
    assert.equal(run.code, 0, run.stderr);
    const env = await readEnvFile(cwd);
    assert.equal(env['BASE_URL'], 'http://localhost:3000');
    assert.equal(env['MCP_SERVER_URL'], 'http://127.0.0.1:3001/mcp');
    assert.equal(env['IDENTITY_CLIENT_SECRET'], undefined, 'a public client has no secret line');
  });

  it('without a terminal, names every missing option and exits 2 (real process)', async (t) => {
    const cwd = await temporaryDirectory(t, 'init-missing');
    const run = await runProcess(['init', '--base-url', 'https://mcp.example.com'], { cwd });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--mcp-server-url, --identity-server-url, --identity-client-id/);
    await assert.rejects(stat(join(cwd, '.env')), { code: 'ENOENT' });
  });

  it('validates before writing: an invalid setting is exit 3 naming its variable, and nothing is written', async (t) => {
    const cwd = await temporaryDirectory(t, 'init-invalid');
    const run = await runInProcess(
      [
        'init',
        '--yes',
        '--base-url',
        'http://mcp.example.com',
        '--identity-server-url',
        'not a url',
        '--identity-client-id',
        'c1',
      ],
      { cwd },
    );
    assert.equal(run.code, 3);
    assert.match(run.stderr, /BASE_URL must use https:\/\//);
    assert.match(run.stderr, /IDENTITY_SERVER_URL/);
    assert.match(run.stderr, /Nothing was written/);
    await assert.rejects(stat(join(cwd, '.env')), { code: 'ENOENT' });
  });

  it('asks in a terminal for what no option gives, offering defaults', async (t) => {
    const cwd = await temporaryDirectory(t, 'init-prompt');
    const run = await runInProcess(['init', '--redis-url', ''], {
      cwd,
      // BASE_URL and MCP_SERVER_URL take their defaults; the secret is typed without echo.
      terminalAnswers: ['', '', 'https://id.example.com', 'typed-client', 'typed-secret'],
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /BASE_URL\) \[http:\/\/localhost:3000\]: /);
    assert.doesNotMatch(run.stdout, /typed-secret/);
    const env = await readEnvFile(cwd);
    assert.equal(env['IDENTITY_CLIENT_ID'], 'typed-client');
    assert.equal(env['IDENTITY_CLIENT_SECRET'], 'typed-secret');
    assert.equal(env['BASE_URL'], 'http://localhost:3000');
  });
});
