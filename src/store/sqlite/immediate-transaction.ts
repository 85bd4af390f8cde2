import type { DatabaseSync } from 'node:sqlite';

/**
 * Runs the step in a `BEGIN IMMEDIATE` transaction: the write lock is taken
 * up front (waiting up to busy_timeout), so a transaction that reads and then
 * writes can never fail half-way with SQLITE_BUSY when another process writes
 * the same WAL file (https://www.sqlite.org/lang_transaction.html).
 */
export function inImmediateTransaction<T>(db: DatabaseSync, step: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = step();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
