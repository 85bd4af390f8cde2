/**
 * The audit file (src/audit/file-audit-sink.ts): one JSON object per line,
 * created for its owner only, and opened anew when logrotate moves it away.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileAuditSink, type AuditRecord } from '../../../src/audit/index.ts';
import { silentLogger } from '../../../src/shared/logger.ts';

const record = (grantId: string): AuditRecord => ({
  logType: 'audit',
  auditVersion: 1,
  time: '2026-01-02T03:04:05.000Z',
  source: 'proxy',
  event: 'audit.grant_revoked',
  grantId,
  by: 'client',
});

const grantIdsIn = async (path: string) =>
  (await readFile(path, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as AuditRecord).grantId);

describe('the audit file', () => {
  it('appends lines with app and environment, mode 0600, and follows a rotation to a new file', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-audit-file-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'audit.jsonl');
    const sink = new FileAuditSink({ path, app: 'proxy-a', environment: 'staging', logger: silentLogger });
    await sink.open();
    sink.write(record('g1'));
    sink.write(record('g2'));
    await sink.close();
    const [first] = (await readFile(path, 'utf8')).split('\n');
    assert.deepEqual(Object.keys(JSON.parse(first ?? '{}') as object).slice(0, 4), [
      'time',
      'app',
      'environment',
      'logType',
    ]);
    assert.equal((await stat(path)).mode & 0o777, 0o600);

    // logrotate's default: rename the file away, then the writer must create a new one.
    const reopened = new FileAuditSink({
      path,
      app: 'proxy-a',
      environment: 'staging',
      logger: silentLogger,
    });
    reopened.write(record('g3'));
    await reopened.flush();
    await rename(path, `${path}.1`);
    reopened.write(record('g4'));
    await reopened.close();
    assert.deepEqual(await grantIdsIn(`${path}.1`), ['g1', 'g2', 'g3']);
    assert.deepEqual(await grantIdsIn(path), ['g4']);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });
});
