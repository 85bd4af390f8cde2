import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CLIENT_PROFILES } from '../../../src/cli/index.ts';
import { freePort } from '../../support/free-port.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { runInProcess, temporaryDirectory } from './cli-harness.ts';

interface JsonReport {
  ok: boolean;
  findings: Array<{ name: string; status: 'pass' | 'warn' | 'fail'; detail: string; fix?: string }>;
}

describe('mcp-auth-proxy doctor', () => {
  let proxy: TestProxy;
  let plain: Server;
  let plainUrl: string;
  before(async () => {
    proxy = await startTestProxy();
    // A server that knows nothing of OAuth: an HTML 404 for everything.
    plain = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<h1>Not Found</h1>');
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/mcp`;
  });
  after(async () => {
    await new Promise((resolve) => plain.close(resolve));
    await proxy.close();
  });

  it('finds nothing a client would trip over on a running proxy, registering as every client profile', async (t) => {
    const cwd = await temporaryDirectory(t, 'doctor');
    const run = await runInProcess(['doctor', proxy.mcpUrl], { cwd });
    assert.equal(run.code, 0, run.stdout);
    assert.doesNotMatch(run.stdout, /^[✗!]/m);
    assert.match(
      run.stdout,
      new RegExp(`^✓ 401 challenge: 401 with resource_metadata ${proxy.baseUrl}/`, 'm'),
    );
    assert.match(run.stdout, /^✓ protected resource metadata \(path-suffixed\): /m);
    assert.match(run.stdout, /^✓ protected resource metadata \(root\): /m);
    assert.match(run.stdout, /^✓ PKCE: S256 advertised/m);
    for (const profile of CLIENT_PROFILES) {
      assert.ok(run.stdout.includes(`\n✓ registration: ${profile.name}: client `), profile.name);
    }
    assert.match(run.stdout, /^✓ CORS: MCP endpoint preflight: /m);
    assert.match(run.stdout, /^✓ CORS: token endpoint preflight: /m);
    assert.match(run.stdout, /^✓ JSON answer at \/\.well-known\/oauth-authorization-server\/mcp: /m);

    // What doctor registered is marked as its own in `clients list`.
    const clients = await runInProcess(['clients', 'list', '--json'], { cwd, env: proxy.env });
    const names = (JSON.parse(clients.stdout) as Array<{ name: string | null }>).map((client) => client.name);
    assert.ok(names.includes('Cursor (mcp-auth-proxy doctor)'), names.join(', '));
  });

  it('reports the same as JSON, and skips registration with --no-register', async (t) => {
    const cwd = await temporaryDirectory(t, 'doctor-json');
    const run = await runInProcess(['doctor', proxy.mcpUrl, '--json', '--no-register'], { cwd });
    assert.equal(run.code, 0, run.stdout);
    const report = JSON.parse(run.stdout) as JsonReport;
    assert.equal(report.ok, true);
    assert.ok(report.findings.every((finding) => !finding.name.startsWith('registration:')));
    assert.ok(
      report.findings.some((finding) => finding.name === 'dynamic registration' && finding.status === 'pass'),
    );
  });

  it('reports what a client would trip over on a plain server that answers 404, and exits 1', async (t) => {
    const cwd = await temporaryDirectory(t, 'doctor-plain');
    const run = await runInProcess(['doctor', plainUrl, '--json'], { cwd });
    assert.equal(run.code, 1);
    const report = JSON.parse(run.stdout) as JsonReport;
    const failed = (name: string) =>
      report.findings.find((finding) => finding.name === name && finding.status === 'fail');
    assert.match(failed('401 challenge')?.detail ?? '', /answered HTTP 404.*not 401/);
    assert.match(failed('401 challenge')?.fix ?? '', /Pass the MCP endpoint itself/);
    assert.match(
      failed('protected resource metadata (root)')?.detail ?? '',
      /clients find no authorization server/,
    );
    assert.ok(failed('authorization server metadata'));
    assert.match(
      failed('JSON answer at /.well-known/openid-configuration/mcp')?.detail ?? '',
      /Claude Code fails to parse it/,
    );
    assert.ok(report.findings.every((finding) => finding.status !== 'fail' || finding.fix !== undefined));
  });

  it('without a URL probes each MCP server of the configuration in the working directory', async (t) => {
    const cwd = await temporaryDirectory(t, 'doctor-configured');
    const run = await runInProcess(['doctor', '--json', '--no-register'], { cwd, env: proxy.env });
    assert.equal(run.code, 0, run.stdout);
    const report = JSON.parse(run.stdout) as JsonReport & { title: string };
    assert.equal(report.title, `mcp-auth-proxy doctor ${proxy.mcpUrl}`);
    assert.ok(
      report.findings.some((finding) => finding.name === '401 challenge' && finding.status === 'pass'),
    );
  });

  it('probes several MCP URLs, labelling the findings of each and probing the shared authorization server once', async (t) => {
    const cwd = await temporaryDirectory(t, 'doctor-several');
    const other = `${new URL(plainUrl).origin}/other/mcp`;
    const run = await runInProcess(['doctor', proxy.mcpUrl, other, '--json', '--no-register'], { cwd });
    assert.equal(run.code, 1);
    const report = JSON.parse(run.stdout) as JsonReport;
    const status = (name: string) => report.findings.find((finding) => finding.name === name)?.status;
    const path = new URL(proxy.mcpUrl).pathname;
    assert.equal(status(`${path}: 401 challenge`), 'pass');
    assert.equal(status(`${path}: protected resource metadata (root)`), 'pass');
    assert.equal(status('/other/mcp: 401 challenge'), 'fail');
    // The root document describes the first (default) resource only.
    assert.equal(status('/other/mcp: protected resource metadata (root)'), undefined);
    assert.equal(status('/other/mcp: protected resource metadata (path-suffixed)'), 'fail');
    assert.equal(status('PKCE'), 'pass');
    assert.equal(report.findings.filter((finding) => finding.name === 'PKCE').length, 1);
    assert.equal(status('/other/mcp: JSON answer at /.well-known/openid-configuration/other/mcp'), 'fail');
  });

  it('stops at the first request when nothing answers at the URL, and exits 1', async (t) => {
    const cwd = await temporaryDirectory(t, 'doctor-down');
    const run = await runInProcess(['doctor', `http://127.0.0.1:${await freePort()}/mcp`], { cwd });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^✗ 401 challenge: POST http:\/\/127\.0\.0\.1:\d+\/mcp failed: /m);
    assert.match(run.stdout, /1 of 1 checks failed/);
  });
});
