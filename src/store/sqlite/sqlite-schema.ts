import type { DatabaseSync } from 'node:sqlite';
import { inImmediateTransaction } from './immediate-transaction.ts';

/**
 * The schema, as an append-only list of migrations. A released migration is
 * never edited: a change is a new entry, so a file written by any earlier
 * version can be brought forward. docs/storage-schema.md describes the result.
 */
const MIGRATIONS: readonly string[] = [
  // 1: values (also fixed-window counters), and sets with their members.
  `
  CREATE TABLE kv_values (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    expires_at INTEGER
  );
  CREATE INDEX kv_values_expires_at ON kv_values (expires_at) WHERE expires_at IS NOT NULL;
  CREATE TABLE kv_sets (
    key TEXT PRIMARY KEY NOT NULL,
    expires_at INTEGER
  );
  CREATE INDEX kv_sets_expires_at ON kv_sets (expires_at) WHERE expires_at IS NOT NULL;
  CREATE TABLE kv_set_members (
    set_key TEXT NOT NULL REFERENCES kv_sets (key) ON DELETE CASCADE,
    member TEXT NOT NULL,
    PRIMARY KEY (set_key, member)
  ) WITHOUT ROWID;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the file to SCHEMA_VERSION. Runs in one IMMEDIATE transaction so that
 * two processes opening a new file at once cannot both apply a migration.
 */
export function migrate(db: DatabaseSync, nowMs: number): void {
  inImmediateTransaction(db, () => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY NOT NULL,
      applied_at INTEGER NOT NULL
    )`);
    const row = db.prepare('SELECT max(version) AS version FROM schema_migrations').get();
    const current = typeof row?.version === 'number' ? row.version : 0;
    if (current > SCHEMA_VERSION) {
      throw new Error(
        `The store file has schema version ${current}, newer than this release knows (${SCHEMA_VERSION}).`,
      );
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
    MIGRATIONS.slice(current).forEach((sql, index) => {
      db.exec(sql);
      record.run(current + index + 1, nowMs);
    });
  });
}
