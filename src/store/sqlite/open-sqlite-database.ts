import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/** How long a statement waits for another process's write lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5_000;

/** Only the proxy's own user may read tokens, sessions and keys: the folder is 0700, the file 0600. */
const DIRECTORY_MODE = 0o700;
const FILE_MODE = 0o600;

/**
 * Opens (creating when absent) the SQLite file for the store, ready for
 * several processes at once: WAL lets readers run beside one writer, and
 * busy_timeout makes a second writer wait instead of failing at once
 * (https://www.sqlite.org/wal.html). `:memory:` is accepted for tools.
 */
export function openSqliteDatabase(path: string): DatabaseSync {
  if (path !== ':memory:') createPrivateFile(path);
  const db = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS, enableForeignKeyConstraints: true });
  try {
    db.exec('PRAGMA journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode; only a power loss may drop the last commits.
    db.exec('PRAGMA synchronous = NORMAL');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Creates the parent folder and an empty file with private modes before
 * SQLite opens it; SQLite then gives its -wal and -shm files the same mode.
 * Existing folders and files are left as the operator made them.
 */
function createPrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: DIRECTORY_MODE });
  if (existsSync(path)) return;
  // 'a' creates without truncating, so a file made by a concurrent process in between is kept.
  closeSync(openSync(path, 'a', FILE_MODE));
}
