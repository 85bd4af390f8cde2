/**
 * A user of the Heroku MCP Auth Proxy switches: the built proxy starts from a
 * working directory that holds their `.env`, written as that proxy's
 * `.env-test` writes it (heroku-compat §3a: a number in MCP_SERVER_RUN_ENV_JSON,
 * an inline comment after MAX_REQUESTS=1, a multi-line single-quoted JWKS, a
 * relative metadata file, the misspelt OTEL_SDK_DISABLE), and their own files
 * next to it. Nothing else: no variable of ours, no state. It checks what the
 * reference's own tests check.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import { waitForProcessGone } from '../../support/child-fixtures/process-gone.ts';
import { ensureBuild, REPO_ROOT } from '../../support/ensure-build.ts';
import { freePort } from '../../support/free-port.ts';
import { requestFrom } from '../../support/from-address.ts';
import { createPkce, LOOPBACK_REDIRECT_URI } from '../../support/raw-oauth.ts';
import { deleteRedisPrefix } from '../../support/redis-cleanup.ts';
import { redisUrlOrSkip, uniqueRedisPrefix } from '../../support/redis.ts';

const MAIN_PATH = join(REPO_ROOT, 'dist', 'main.js');

/** The user's MCP server: plain Node, listening on the PORT its proxy gave it. */
const MOCK_MCP_SERVER = `import { createServer } from 'node:http';
const port = process.env.PORT;
createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'))
  .listen(Number(port), () => console.log(\`mock mcp server PORT=\${port} BACKEND_API_URL=\${process.env.BACKEND_API_URL}\`));
`;

/** A private JWK, pretty-printed over several lines as the reference's .env-test has it. */
async function privateJwk(alg: 'EdDSA' | 'ES256'): Promise<string> {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
  });
  return JSON.stringify(await exportJWK(privateKey), null, 2);
}

interface Installation {
  readonly dir: string;
  readonly baseUrl: string;
  readonly mcpPort: number;
}

async function writeInstallation(redisUrl: string, prefix: string): Promise<Installation> {
  const dir = await mkdtemp(join(tmpdir(), 'heroku-switcher-'));
  const port = await freePort();
  const mcpPort = await freePort();
  const idpPort = await freePort();
  const baseUrl = `http://localhost:${port}`;
  await mkdir(join(dir, 'test', 'mocks'), { recursive: true });
  await writeFile(join(dir, 'test', 'mocks', 'mcp-server.js'), MOCK_MCP_SERVER);
  await writeFile(
    join(dir, 'test', 'mocks', 'idp_metadata.json'),
    JSON.stringify({
      issuer: `http://localhost:${idpPort}`,
      authorization_endpoint: `http://localhost:${idpPort}/oauth/authorize`,
      token_endpoint: `http://localhost:${idpPort}/oauth/token`,
      jwks_uri: `http://localhost:${idpPort}/.well-known/jwks.json`,
      scopes_supported: ['openid', 'profile', 'email'],
      response_types_supported: ['code'],
    }),
  );
  const env = [
    'LOCAL_INSECURE=true',
    `PORT=${port}`,
    `BASE_URL=${baseUrl}`,
    `MCP_SERVER_URL=http://localhost:${mcpPort}/mcp`,
    'MCP_SERVER_RUN_COMMAND="node"',
    `MCP_SERVER_RUN_ARGS_JSON='["mocks/mcp-server.js"]'`,
    'MCP_SERVER_RUN_DIR="test"',
    // The reference README's example: PORT as a JSON number.
    `MCP_SERVER_RUN_ENV_JSON='{"PORT":${mcpPort},"BACKEND_API_URL":"https://mcp.example.com"}'`,
    `MCP_AUTH_PROXY_REDIS_URL=${redisUrl}`,
    `MCP_AUTH_PROXY_REDIS_PREFIX=${prefix}`,
    `IDENTITY_SERVER_URL=http://localhost:${idpPort}`,
    'IDENTITY_CLIENT_ID=test_identity_client_id',
    'IDENTITY_CLIENT_SECRET=test_identity_client_secret',
    'IDENTITY_SCOPE=global',
    '# Optionally, instead of OIDC discovery, reference a ServerMetadata JSON file',
    "IDENTITY_SERVER_METADATA_FILE='test/mocks/idp_metadata.json'",
    `OIDC_PROVIDER_JWKS='[${await privateJwk('EdDSA')},${await privateJwk('ES256')}]'`,
    'MAX_REQUESTS=1 # Limit for testing',
    'OTEL_SDK_DISABLE="true"',
    '',
  ].join('\n');
  await writeFile(join(dir, '.env'), env);
  return { dir, baseUrl, mcpPort };
}

interface Started {
  readonly child: ChildProcess;
  readonly output: string[];
  readonly exited: Promise<number | null>;
}

/** `npm start` in the user's directory: only PATH and HOME come from outside, plus `extraEnv`. */
function startProxy(installation: Installation, extraEnv: Record<string, string> = {}): Started {
  const child = spawn(process.execPath, [MAIN_PATH], {
    cwd: installation.dir,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '',
      // The .env's OTEL_SDK_DISABLE is misspelt, so tracing stays on, as it did in the Heroku proxy;
      // the test machine has no collector to send to.
      OTEL_SDK_DISABLED: 'true',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => output.push(line));
  }
  const exited = once(child, 'close').then(([code]) => code as number | null);
  return { child, output, exited };
}

async function waitForLine(started: Started, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const line = started.output.find((candidate) => pattern.test(candidate));
    if (line !== undefined) return line;
    if (started.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no line matching ${pattern}; output:\n${started.output.join('\n')}`);
}

describe('a Heroku MCP Auth Proxy user switches with their .env-test unchanged', () => {
  let installation: Installation | undefined;
  let proxy: Started | undefined;
  let redisUrl: string | undefined;
  const prefix = uniqueRedisPrefix('heroku-switch');

  before(async () => {
    await ensureBuild();
  });
  after(async () => {
    if (proxy !== undefined && proxy.child.exitCode === null) {
      proxy.child.kill('SIGTERM');
      await proxy.exited;
    }
    if (installation !== undefined) await rm(installation.dir, { recursive: true, force: true });
    if (redisUrl !== undefined) await deleteRedisPrefix(redisUrl, prefix);
  });

  it('passes release verification (MCP_AUTH_PROXY_VERIFY_RELEASE=true exits 0)', async (t) => {
    redisUrl = await redisUrlOrSkip(t);
    if (redisUrl === undefined) return;
    installation = await writeInstallation(redisUrl, prefix);
    const release = startProxy(installation, { MCP_AUTH_PROXY_VERIFY_RELEASE: 'true' });
    const code = await release.exited;
    assert.equal(code, 0, release.output.join('\n'));
  });

  it('starts, and the MCP server gets PORT from the JSON number as the text it listens on', async (t) => {
    if (installation === undefined) return t.skip('no Redis');
    proxy = startProxy(installation);
    await waitForLine(proxy, /"event":"server.listening"/);
    const childLine = await waitForLine(proxy, /mock mcp server PORT=/);
    assert.match(
      childLine,
      new RegExp(`PORT=${installation.mcpPort} BACKEND_API_URL=https://mcp.example.com`),
    );
    assert.ok(
      !proxy.output.some((line) => /"level":(50|60)/.test(line)),
      `no error was logged:\n${proxy.output.join('\n')}`,
    );
    await waitForLine(
      proxy,
      /OTEL_SDK_DISABLE is not a variable the proxy reads; did you mean OTEL_SDK_DISABLED\?/,
    );
  });

  it('serves authorization server metadata whose issuer is BASE_URL', async (t) => {
    if (installation === undefined || proxy === undefined) return t.skip('not started');
    const answer = await requestFrom(
      '127.0.0.2',
      `${installation.baseUrl}/.well-known/oauth-authorization-server`,
    );
    assert.equal(answer.status, 200);
    assert.equal(JSON.parse(answer.body).issuer, installation.baseUrl);
  });

  it('serves protected resource metadata for BASE_URL/mcp', async (t) => {
    if (installation === undefined || proxy === undefined) return t.skip('not started');
    const answer = await requestFrom(
      '127.0.0.3',
      `${installation.baseUrl}/.well-known/oauth-protected-resource`,
    );
    assert.equal(answer.status, 200);
    const metadata = JSON.parse(answer.body);
    assert.equal(metadata.resource, `${installation.baseUrl}/mcp`);
    assert.deepEqual(metadata.authorization_servers, [installation.baseUrl]);
    assert.deepEqual(metadata.bearer_methods_supported, ['header']);
    assert.ok(Array.isArray(metadata.scopes_supported));
  });

  it('rejects POST /mcp without authorization with 401', async (t) => {
    if (installation === undefined || proxy === undefined) return t.skip('not started');
    const answer = await requestFrom('127.0.0.4', `${installation.baseUrl}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ msg: 'Hello World!' }),
    });
    assert.equal(answer.status, 401);
  });

  it('accepts prompt=consent on /auth (Claude Desktop sends it)', async (t) => {
    if (installation === undefined || proxy === undefined) return t.skip('not started');
    const registration = await requestFrom('127.0.0.5', `${installation.baseUrl}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [LOOPBACK_REDIRECT_URI], token_endpoint_auth_method: 'none' }),
    });
    assert.equal(registration.status, 201, registration.body);
    const clientId = JSON.parse(registration.body).client_id as string;
    const pkce = createPkce();
    const authorize = new URL('/auth', installation.baseUrl);
    for (const [name, value] of Object.entries({
      client_id: clientId,
      redirect_uri: LOOPBACK_REDIRECT_URI,
      response_type: 'code',
      scope: 'openid offline_access',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      state: 'test-state',
      prompt: 'consent',
    })) {
      authorize.searchParams.set(name, value);
    }
    // The same address again: the authorization request names its client, so it has a budget of its own.
    const answer = await requestFrom('127.0.0.5', authorize.href);
    assert.equal(answer.status, 303, answer.body);
    assert.match(String(answer.headers.location), /\/interaction\//);
    assert.doesNotMatch(String(answer.headers.location), /error=/);
  });

  it('answers two simultaneous metadata requests with one 200 and one 429 (MAX_REQUESTS=1)', async (t) => {
    if (installation === undefined || proxy === undefined) return t.skip('not started');
    const url = `${installation.baseUrl}/.well-known/oauth-authorization-server`;
    const answers = await Promise.all([requestFrom('127.0.0.6', url), requestFrom('127.0.0.6', url)]);
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 429]);
  });

  it('stops on SIGTERM with its MCP server', async (t) => {
    if (proxy === undefined) return t.skip('not started');
    const childPid = Number(
      /"pid":(\d+)/.exec(proxy.output.find((line) => /supervisor.child_spawned/.test(line)) ?? '')?.[1],
    );
    proxy.child.kill('SIGTERM');
    assert.equal(await proxy.exited, 0);
    assert.ok(await waitForProcessGone(childPid), 'the MCP server is gone too');
  });
});
