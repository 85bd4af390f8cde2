import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { SCHEMA_VERSION } from '../../../src/store/sqlite/sqlite-schema.ts';
import { createManualClock } from '../../contract/manual-clock.ts';

const run = promisify(execFile);
const WORKER = join(import.meta.dirname, 'sqlite-worker.ts');

async function tempStorePath(t: TestContext): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'sqlite-store-'));
  t.after(() => rm(directory, { recursive: true, force: true }));
  return join(directory, 'state', 'store.db');
}

/** Reads the file directly, as an operator's sqlite3 shell would. */
function inspect(path: string, sql: string): Record<string, unknown>[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db
      .prepare(sql)
      .all()
      .map((row) => ({ ...row }));
  } finally {
    db.close();
  }
}

describe('SQLite store', () => {
  it('creates its folder private to the user (0700) and its file readable by the user only (0600)', async (t) => {
    const path = await tempStorePath(t);
    const store = createSqliteStore({ path, clock: createManualClock() });
    t.after(() => store.close());
    assert.equal((await stat(join(path, '..'))).mode & 0o777, 0o700);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });

  it('runs in WAL mode and records its schema version once', async (t) => {
    const path = await tempStorePath(t);
    await createSqliteStore({ path, clock: createManualClock() }).close();
    await createSqliteStore({ path, clock: createManualClock() }).close();
    assert.deepEqual(inspect(path, 'PRAGMA journal_mode'), [{ journal_mode: 'wal' }]);
    const versions = inspect(path, 'SELECT version FROM schema_migrations ORDER BY version');
    assert.deepEqual(
      versions.map((row) => row.version),
      Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
    );
  });

  it('refuses a file written by a newer schema instead of guessing', async (t) => {
    const path = await tempStorePath(t);
    await createSqliteStore({ path, clock: createManualClock() }).close();
    const db = new DatabaseSync(path);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)').run(SCHEMA_VERSION + 1);
    db.close();
    assert.throws(() => createSqliteStore({ path, clock: createManualClock() }), /newer than this release/);
  });

  it('deletes an expired row when a read meets it, and sweeps the rest', async (t) => {
    const path = await tempStorePath(t);
    const clock = createManualClock();
    const store = createSqliteStore({ path, clock });
    t.after(() => store.close());
    await store.set('read-later', 'x', { ttlMs: 1_000 });
    await store.set('never-read', 'x', { ttlMs: 1_000 });
    await store.addToSet('expiring-set', 'm', { ttlMs: 1_000 });
    await store.set('live', 'x', { ttlMs: 60_000 });
    clock.advance(1_000);

    assert.equal(await store.get('read-later'), undefined);
    assert.deepEqual(
      inspect(path, 'SELECT key FROM kv_values ORDER BY key').map((row) => row.key),
      ['live', 'never-read'],
    );
    assert.equal(await store.sweepExpired(), 2);
    assert.deepEqual(
      inspect(path, 'SELECT key FROM kv_values').map((row) => row.key),
      ['live'],
    );
    assert.deepEqual(inspect(path, 'SELECT count(*) AS n FROM kv_set_members'), [{ n: 0 }]);
  });

  it('shares one file between processes without losing a count or a lock', async (t) => {
    const path = await tempStorePath(t);
    const store = createSqliteStore({ path, clock: createManualClock(Date.now()) });
    t.after(() => store.close());
    await store.set('prize', 'the-only-one');
    const increments = 200;
    const labels = ['one', 'two', 'three'];
    const outputs = await Promise.all(
      labels.map((label) => run(process.execPath, [WORKER, path, label, String(increments)])),
    );
    const results = outputs.map(({ stdout }) => JSON.parse(stdout) as { won: boolean; taken: string | null });

    assert.equal(results.filter((result) => result.won).length, 1, 'exactly one process holds the lock');
    assert.deepEqual(
      results.map((result) => result.taken).filter((taken) => taken !== null),
      ['the-only-one'],
    );
    assert.equal(await store.get('hits'), String(labels.length * increments));
  });
});
