import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { startFakeIdp } from '../../support/fake-idp.ts';
import { freePort } from '../../support/free-port.ts';
import { startMcpFixtureServer } from '../../support/mcp-fixture-server.ts';
import { CLI_MAIN_PATH, runProcess, temporaryDirectory } from './cli-harness.ts';

describe('mcp-auth-proxy serve', () => {
  it('exits 3 with every configuration problem on stderr before listening (real process)', async (t) => {
    const run = await runProcess(['serve'], {
      cwd: await temporaryDirectory(t, 'serve-invalid'),
      env: { BASE_URL: 'http://mcp.example.com', MCP_SERVER_URL: 'http://127.0.0.1:3001/' },
    });
    assert.equal(run.code, 3);
    assert.match(run.stderr, /^The configuration has \d+ problems:/m);
    for (const variable of ['BASE_URL', 'MCP_SERVER_URL', 'IDENTITY_CLIENT_ID'])
      assert.match(run.stderr, new RegExp(variable));
  });

  it('runs the proxy as the bin, serves discovery, and exits 0 on SIGTERM (real process)', async (t) => {
    const idp = await startFakeIdp({ mode: 'oidc' });
    t.after(() => idp.close());
    const mcp = await startMcpFixtureServer({ stateful: true });
    t.after(() => mcp.close());
    const cwd = await temporaryDirectory(t, 'serve');
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [CLI_MAIN_PATH, 'serve'], {
      cwd,
      env: {
        BASE_URL: baseUrl,
        PORT: String(port),
        LOCAL_INSECURE: 'true',
        MCP_SERVER_URL: mcp.url,
        IDENTITY_SERVER_URL: idp.issuer,
        IDENTITY_CLIENT_ID: idp.clientId,
        IDENTITY_CLIENT_SECRET: idp.clientSecret,
        MCP_AUTH_PROXY_SQLITE_PATH: join(cwd, 'store.sqlite'),
        MCP_AUTH_PROXY_SHUTDOWN_GRACE_MS: '500',
        OTEL_SDK_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const lines = createInterface({ input: child.stdout });
    const listening = new Promise<void>((resolve, reject) => {
      lines.on('line', (line) => {
        if (line.includes('"server.listening"')) resolve();
      });
      void exited.then(([code]) =>
        reject(new Error(`serve exited with ${code} before listening: ${stderr}`)),
      );
    });
    await listening;

    const metadata = await fetch(`${baseUrl}/.well-known/oauth-protected-resource/mcp`);
    assert.equal(metadata.status, 200);
    assert.equal(((await metadata.json()) as { resource: string }).resource, `${baseUrl}/mcp`);

    child.kill('SIGTERM');
    assert.deepEqual(await exited, [0, null]);
  });
});
