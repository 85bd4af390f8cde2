import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { startFakeIdp, type FakeIdp } from '../../support/fake-idp.ts';
import { freePort } from '../../support/free-port.ts';
import { startMcpFixtureServer, type McpFixtureServer } from '../../support/mcp-fixture-server.ts';
import { runInProcess, runProcess, temporaryDirectory } from './cli-harness.ts';

interface JsonReport {
  ok: boolean;
  findings: Array<{ name: string; status: 'pass' | 'warn' | 'fail'; detail: string; fix?: string }>;
}

describe('mcp-auth-proxy check', () => {
  let idp: FakeIdp;
  let mcp: McpFixtureServer;
  before(async () => {
    idp = await startFakeIdp({ mode: 'oidc' });
    mcp = await startMcpFixtureServer({ stateful: true });
  });
  after(async () => {
    await mcp.close();
    await idp.close();
  });

  /** A complete, valid environment against the running fake IdP and MCP fixture. */
  async function environment(t: TestContext, overrides: Record<string, string> = {}) {
    const cwd = await temporaryDirectory(t, 'check');
    const port = await freePort();
    const env: Record<string, string> = {
      BASE_URL: `http://127.0.0.1:${port}`,
      PORT: String(port),
      LOCAL_INSECURE: 'true',
      MCP_SERVER_URL: mcp.url,
      IDENTITY_SERVER_URL: idp.issuer,
      IDENTITY_CLIENT_ID: idp.clientId,
      IDENTITY_CLIENT_SECRET: idp.clientSecret,
      MCP_AUTH_PROXY_SQLITE_PATH: join(cwd, 'store', 'store.sqlite'),
      ...overrides,
    };
    return { cwd, env };
  }

  it('passes every check against a reachable store, IdP and MCP server, and exits 0', async (t) => {
    const { cwd, env } = await environment(t);
    const run = await runInProcess(['check'], { cwd, env });
    assert.equal(run.code, 0, run.stdout);
    assert.doesNotMatch(run.stdout, /^✗/m);
    for (const name of [
      'configuration',
      'store',
      'identity provider',
      'identity client credentials',
      'MCP server',
      'redirect URI',
    ]) {
      assert.match(run.stdout, new RegExp(`^✓ ${name}: `, 'm'), name);
    }
    assert.match(run.stdout, new RegExp(`register exactly ${env['BASE_URL']}/interaction/identity/callback`));
    assert.match(run.stdout, /^! BASE_URL: .* plain http/m);
    assert.match(run.stdout, /All \d+ checks passed/);
  });

  it('reads the .env of the working directory, as serve does, and reports as JSON with --json', async (t) => {
    const { cwd, env } = await environment(t);
    await writeFile(
      join(cwd, '.env'),
      Object.entries(env)
        .map(([name, value]) => `${name}=${value}`)
        .join('\n'),
    );
    const run = await runInProcess(['check', '--json'], { cwd, env: {} });
    assert.equal(run.code, 0, run.stdout);
    const report = JSON.parse(run.stdout) as JsonReport;
    assert.equal(report.ok, true);
    assert.ok(report.findings.some((finding) => finding.name === 'store' && finding.status === 'pass'));
  });

  it('with a wrong IdP URL prints ✗ naming IDENTITY_SERVER_URL with a fix that suggests the issuer, and exits 1 (real process)', async (t) => {
    const { cwd, env } = await environment(t, { IDENTITY_SERVER_URL: `${idp.issuer}/oauth2/default` });
    const run = await runProcess(['check'], { cwd, env });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(
      run.stdout,
      /^✗ identity provider: discovery at http:\/\/127\.0\.0\.1:\d+\/oauth2\/default failed/m,
    );
    const fix = /^✗ identity provider: .*\n {4}fix: (.*)$/m.exec(run.stdout)?.[1] ?? '';
    assert.match(fix, /IDENTITY_SERVER_URL must be the identity provider's issuer URL/);
    assert.ok(fix.startsWith(`Set IDENTITY_SERVER_URL=${idp.issuer}:`), fix);
    assert.match(run.stdout, /checks failed/);
  });

  it('reports an IdP that does not answer, with the timeout and the variable to fix', async (t) => {
    const { cwd, env } = await environment(t, {
      IDENTITY_SERVER_URL: `http://127.0.0.1:${await freePort()}`,
      IDENTITY_TIMEOUT_MS: '2000',
    });
    const run = await runInProcess(['check', '--json'], { cwd, env });
    assert.equal(run.code, 1);
    const finding = (JSON.parse(run.stdout) as JsonReport).findings.find(
      (f) => f.name === 'identity provider',
    );
    assert.equal(finding?.status, 'fail');
    assert.match(finding?.fix ?? '', /IDENTITY_SERVER_URL/);
    assert.match(finding?.fix ?? '', /IDENTITY_TIMEOUT_MS|IDENTITY_SERVER_METADATA_FILE/);
  });

  it('fails a public client when the IdP authenticates clients with secrets only', async (t) => {
    const { cwd, env } = await environment(t);
    delete env['IDENTITY_CLIENT_SECRET'];
    const run = await runInProcess(['check'], { cwd, env });
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /^✗ identity client credentials: .*no IDENTITY_CLIENT_SECRET.*client_secret_basic/m,
    );
    assert.match(run.stdout, /fix: Set IDENTITY_CLIENT_SECRET/);
  });

  it('fails an MCP server that accepts no connections, and one whose run command cannot be found', async (t) => {
    const down = await environment(t, { MCP_SERVER_URL: `http://127.0.0.1:${await freePort()}/mcp` });
    const unreachable = await runInProcess(['check'], down);
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stdout, /^✗ MCP server: nothing accepts connections at 127\.0\.0\.1:\d+/m);
    assert.match(unreachable.stdout, /fix: Start your MCP server, or set MCP_SERVER_URL/);

    const missing = await environment(t, {
      MCP_SERVER_URL: `http://127.0.0.1:${await freePort()}/mcp`,
      MCP_SERVER_RUN_COMMAND: 'no-such-mcp-server-binary',
      PATH: '/nonexistent-bin',
    });
    const run = await runInProcess(['check'], missing);
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /^✗ MCP server command: MCP_SERVER_RUN_COMMAND no-such-mcp-server-binary cannot be started/m,
    );
    assert.match(run.stdout, /^✓ MCP server: 127\.0\.0\.1:\d+ is free; the proxy starts the server/m);
  });

  it('passes a run command found on PATH', async (t) => {
    const { cwd, env } = await environment(t, {
      MCP_SERVER_URL: `http://127.0.0.1:${await freePort()}/mcp`,
      MCP_SERVER_RUN_COMMAND: process.execPath,
    });
    const run = await runInProcess(['check'], { cwd, env });
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /^✓ MCP server command: .* is started by the proxy/m);
  });

  it('checks each server of MCP_AUTH_PROXY_SERVERS_FILE, naming it by its id and its field in the file', async (t) => {
    const { cwd, env } = await environment(t, { MCP_AUTH_PROXY_SERVERS_FILE: 'servers.yaml' });
    delete env['MCP_SERVER_URL'];
    const downPort = await freePort();
    await writeFile(
      join(cwd, 'servers.yaml'),
      [
        'servers:',
        `  - { id: tickets, path: /tickets/mcp, url: "${mcp.url}" }`,
        `  - { id: deploys, path: /deploys/mcp, url: "http://127.0.0.1:${downPort}/mcp" }`,
        `  - id: builds`,
        `    path: /builds/mcp`,
        `    url: "http://127.0.0.1:${await freePort()}/mcp"`,
        `    run: { command: no-such-mcp-server-binary, env: { PATH: /nonexistent-bin } }`,
        `  - { id: docs, path: /docs/mcp, stdio: { command: ${JSON.stringify(process.execPath)} } }`,
      ].join('\n'),
    );
    const run = await runInProcess(['check'], { cwd, env });
    assert.equal(run.code, 1, run.stdout);
    assert.match(
      run.stdout,
      /^✓ MCP server tickets: 127\.0\.0\.1:\d+ accepts connections \(servers\[0\]\.url /m,
    );
    assert.match(
      run.stdout,
      new RegExp(`^✗ MCP server deploys: nothing accepts connections at 127\\.0\\.0\\.1:${downPort}`, 'm'),
    );
    assert.match(run.stdout, /fix: Start your MCP server, or correct servers\[1\]\.url in .*servers\.yaml/);
    assert.match(
      run.stdout,
      /^✗ MCP server command builds: servers\[2\]\.run\.command no-such-mcp-server-binary cannot be started/m,
    );
    assert.match(run.stdout, /^✓ MCP server builds: 127\.0\.0\.1:\d+ is free/m);
    assert.match(
      run.stdout,
      /^✓ MCP server command docs: servers\[3\]\.stdio\.command .* is started by the proxy for each MCP session/m,
    );
    assert.match(
      run.stdout,
      new RegExp(`MCP clients connect to ${env['BASE_URL']}/tickets/mcp, ${env['BASE_URL']}/deploys/mcp, `),
    );
  });

  it('reports the problems of the servers file with the file to correct, and exits 3', async (t) => {
    const { cwd, env } = await environment(t, { MCP_AUTH_PROXY_SERVERS_FILE: 'servers.yaml' });
    await writeFile(
      join(cwd, 'servers.yaml'),
      'servers:\n  - { id: a, path: /a, urll: "http://127.0.0.1:1/mcp" }\n',
    );
    const run = await runInProcess(['check'], { cwd, env });
    assert.equal(run.code, 3);
    assert.match(
      run.stdout,
      /^✗ configuration: MCP_SERVER_URL is set together with MCP_AUTH_PROXY_SERVERS_FILE/m,
    );
    assert.match(
      run.stdout,
      /^✗ configuration: MCP_AUTH_PROXY_SERVERS_FILE \(servers\.yaml\): servers\[0\]\.urll: is not a known field; did you mean url\?.*\n {4}fix: Correct MCP_AUTH_PROXY_SERVERS_FILE, or the servers file it names/m,
    );
  });

  it('fails a store that does not answer, with what to check', async (t) => {
    const { cwd, env } = await environment(t, {
      MCP_AUTH_PROXY_REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      MCP_AUTH_PROXY_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64url'),
    });
    delete env['MCP_AUTH_PROXY_SQLITE_PATH'];
    const run = await runInProcess(['check'], { cwd, env });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^✗ store: Redis at redis:\/\/127\.0\.0\.1:\d+ did not answer/m);
    assert.match(run.stdout, /fix: Check MCP_AUTH_PROXY_REDIS_URL/);
  });

  it('reports every configuration problem at once and exits 3', async (t) => {
    const cwd = await temporaryDirectory(t, 'check-invalid');
    const run = await runInProcess(['check'], {
      cwd,
      env: { BASE_URL: 'http://example.com', PORT: 'eighty' },
    });
    assert.equal(run.code, 3);
    for (const variable of [
      'BASE_URL',
      'PORT',
      'MCP_SERVER_URL',
      'IDENTITY_CLIENT_ID',
      'IDENTITY_SERVER_URL',
    ]) {
      assert.match(
        run.stdout,
        new RegExp(`^✗ configuration: .*${variable}.*\n {4}fix: Correct ${variable} `, 'm'),
        variable,
      );
    }
  });
});
