/**
 * Where the audit trail goes (MCP_AUTH_PROXY_AUDIT_LOG): `stdout` puts the
 * records into the proxy's JSON log stream, marked `"logType":"audit"`;
 * `grants revoke` writes its own to standard error, so that its answer stays
 * clean; `off` writes none; a file that cannot
 * be written costs one warning and no request. Refusals by MAX_REQUESTS are
 * recorded once per address, not once per request.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { requestFrom } from '../../support/from-address.ts';
import { prepareProxyProcess, spawnProxyProcess } from '../../support/proxy-process.ts';
import { obtainTokens, registerClient } from '../../support/raw-oauth.ts';
import { startTestProxy } from '../../support/test-proxy.ts';
import { runInProcess } from '../../integration/cli/cli-harness.ts';

const isAudit = (line: Record<string, unknown>) => line['logType'] === 'audit';

describe('audit destinations', () => {
  it("writes stdout records into the proxy process's JSON log stream, marked logType audit", async (t) => {
    const setup = await prepareProxyProcess({ MCP_AUTH_PROXY_AUDIT_LOG: 'stdout' });
    t.after(() => setup.close());
    const proxy = await spawnProxyProcess(setup, 'source');
    t.after(() => proxy.dispose());
    await proxy.waitForEvent('server.listening');
    const client = await registerClient(setup.baseUrl, { client_name: 'Stdout Audit Client' });
    const line = await proxy.waitForEvent('audit.client_registered');
    assert.deepEqual(
      { ...line, time: undefined },
      {
        level: 30,
        time: undefined,
        app: 'mcp-auth-proxy',
        environment: line['environment'],
        logType: 'audit',
        auditVersion: 1,
        event: 'audit.client_registered',
        source: 'proxy',
        clientId: client.client_id,
        clientName: 'Stdout Audit Client',
        registration: 'dynamic',
        address: '127.0.0.1',
        userAgent: 'node',
        requestId: line['requestId'],
        msg: 'audit.client_registered',
      },
    );
    assert.equal(typeof line['requestId'], 'string');
  });

  it('has `grants revoke` write its stdout record to standard error, leaving its --json answer clean', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-audit-'));
    const proxy = await startTestProxy({
      env: { MCP_AUTH_PROXY_AUDIT_LOG: 'stdout' },
      store: { kind: 'sqlite', dir },
    });
    try {
      await obtainTokens(proxy.baseUrl, { username: 'dora' });
    } finally {
      await proxy.close();
    }
    const revoked = await runInProcess(
      ['grants', 'revoke', '--user', proxy.idp.userIdFor('dora'), '--json'],
      {
        cwd: dir,
        env: proxy.env,
      },
    );
    await rm(dir, { recursive: true, force: true });
    assert.equal(revoked.code, 0, revoked.stderr);
    const [grant] = JSON.parse(revoked.stdout) as Array<{ grantId: string }>;
    const records = revoked.stderr
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      records.map((record) => [
        record['logType'],
        record['event'],
        record['by'],
        record['source'],
        record['grantId'],
      ]),
      [['audit', 'audit.grant_revoked', 'operator', 'cli', grant?.grantId]],
    );
  });

  it('writes nothing with off', async () => {
    const proxy = await startTestProxy({ env: { MCP_AUTH_PROXY_AUDIT_LOG: 'off' } });
    try {
      await obtainTokens(proxy.baseUrl);
    } finally {
      await proxy.close();
    }
    assert.ok(
      proxy.logs.some((line) => line['event'] === 'interaction.login_finished'),
      'the sign-in happened',
    );
    assert.deepEqual(proxy.logs.filter(isAudit), []);
  });

  it(
    'logs one warning when the file cannot be written, and serves every request',
    { skip: existsSync('/dev/full') ? false : 'needs /dev/full' },
    async () => {
      // Every write to /dev/full fails with ENOSPC: a full disk.
      const proxy = await startTestProxy({ env: { MCP_AUTH_PROXY_AUDIT_LOG: '/dev/full' } });
      try {
        await obtainTokens(proxy.baseUrl);
        await obtainTokens(proxy.baseUrl);
      } finally {
        await proxy.close();
      }
      const warnings = proxy.logs.filter((line) => line['event'] === 'audit.write_failed');
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0]?.['level'], 40);
      assert.match(JSON.stringify(warnings[0]?.['err']), /ENOSPC/);
      assert.deepEqual(proxy.logs.filter(isAudit), [], 'nothing falls back to stdout');
    },
  );

  it('records a client address refused by MAX_REQUESTS once, however often it is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-audit-'));
    const auditPath = join(dir, 'audit.jsonl');
    const proxy = await startTestProxy({ env: { MCP_AUTH_PROXY_AUDIT_LOG: auditPath, MAX_REQUESTS: '2' } });
    let statuses: number[];
    try {
      const discovery = `${proxy.baseUrl}/.well-known/oauth-authorization-server`;
      statuses = [];
      for (let request = 0; request < 5; request += 1) {
        statuses.push(
          (await requestFrom('127.0.0.9', discovery, { headers: { 'x-request-id': `r${request}` } })).status,
        );
      }
    } finally {
      await proxy.close();
    }
    assert.deepEqual(statuses, [200, 200, 429, 429, 429]);
    const records = (await readFile(auditPath, 'utf8'))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    await rm(dir, { recursive: true, force: true });
    assert.deepEqual(
      records.map((record) => [record['event'], record['limiter'], record['address'], record['requestId']]),
      [['audit.rate_limited', 'address', '127.0.0.9', 'r2']],
    );
  });
});
