/**
 * Every statement the SQLite store runs, prepared once per connection.
 * Times are epoch milliseconds; `expires_at IS NULL` means "keep until
 * deleted". Each write that must be atomic is ONE statement: SQLite runs a
 * statement under the database write lock, so no other connection or process
 * can interleave (https://www.sqlite.org/lang_upsert.html,
 * https://www.sqlite.org/lang_returning.html).
 */
export const SQLITE_STATEMENTS = {
  getValue: 'SELECT value, expires_at FROM kv_values WHERE key = :key',

  deleteExpiredValue: 'DELETE FROM kv_values WHERE key = :key AND expires_at <= :now',

  setValue: `INSERT INTO kv_values (key, value, expires_at) VALUES (:key, :value, :expiresAt)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,

  /** Writes only over a missing or expired row: `changes` is 1 exactly for the one winner. */
  setValueIfAbsent: `INSERT INTO kv_values (key, value, expires_at) VALUES (:key, :value, :expiresAt)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
    WHERE kv_values.expires_at IS NOT NULL AND kv_values.expires_at <= :now`,

  /** Rewrites a live row only while it holds the expected value: `changes` is 1 exactly for the one winner. */
  compareAndSetValue: `UPDATE kv_values SET value = :value, expires_at = :expiresAt
    WHERE key = :key AND value = :expected AND (expires_at IS NULL OR expires_at > :now)`,

  takeValue: 'DELETE FROM kv_values WHERE key = :key RETURNING value, expires_at',

  deleteValues: 'DELETE FROM kv_values WHERE key IN (SELECT value FROM json_each(:keys))',

  deleteSets: 'DELETE FROM kv_sets WHERE key IN (SELECT value FROM json_each(:keys))',

  /** Members go with their set (ON DELETE CASCADE). */
  deleteExpiredSet: 'DELETE FROM kv_sets WHERE key = :key AND expires_at <= :now',

  /** A set's expiry only grows; NULL (no expiry) is the longest of all. */
  upsertSet: `INSERT INTO kv_sets (key, expires_at) VALUES (:key, :expiresAt)
    ON CONFLICT (key) DO UPDATE SET expires_at = CASE
      WHEN kv_sets.expires_at IS NULL OR excluded.expires_at IS NULL THEN NULL
      ELSE max(kv_sets.expires_at, excluded.expires_at) END`,

  addMember: `INSERT INTO kv_set_members (set_key, member) VALUES (:key, :member)
    ON CONFLICT (set_key, member) DO NOTHING`,

  removeMembers: `DELETE FROM kv_set_members
    WHERE set_key = :key AND member IN (SELECT value FROM json_each(:members))`,

  /** A set left without members is gone, as on Redis. */
  deleteEmptySet: `DELETE FROM kv_sets WHERE key = :key
    AND NOT EXISTS (SELECT 1 FROM kv_set_members WHERE set_key = :key)`,

  countMembers: 'SELECT count(*) AS size FROM kv_set_members WHERE set_key = :key',

  members: `SELECT m.member FROM kv_set_members AS m JOIN kv_sets AS s ON s.key = m.set_key
    WHERE m.set_key = :key AND (s.expires_at IS NULL OR s.expires_at > :now)`,

  /**
   * Fixed-window counter: the first hit (or the first after the window ended)
   * writes 1 with the window's end; later hits add one and keep that end.
   * In an UPDATE every expression sees the row as it was before the update.
   */
  increment: `INSERT INTO kv_values (key, value, expires_at) VALUES (:key, CAST(CAST(:amount AS INTEGER) AS TEXT), :expiresAt)
    ON CONFLICT (key) DO UPDATE SET
      value = CASE WHEN kv_values.expires_at IS NULL OR kv_values.expires_at <= :now THEN CAST(CAST(:amount AS INTEGER) AS TEXT)
        ELSE CAST(CAST(kv_values.value AS INTEGER) + CAST(:amount AS INTEGER) AS TEXT) END,
      expires_at = CASE WHEN kv_values.expires_at IS NULL OR kv_values.expires_at <= :now
        THEN excluded.expires_at ELSE kv_values.expires_at END
    RETURNING value, expires_at`,

  /** instr(key, prefix) = 1 is "starts with" without LIKE's wildcards or case folding. */
  keys: `SELECT key FROM kv_values WHERE instr(key, :prefix) = 1 AND (expires_at IS NULL OR expires_at > :now)
    UNION SELECT key FROM kv_sets WHERE instr(key, :prefix) = 1 AND (expires_at IS NULL OR expires_at > :now)`,

  sweepValues: 'DELETE FROM kv_values WHERE expires_at <= :now',

  sweepSets: 'DELETE FROM kv_sets WHERE expires_at <= :now',

  ping: 'SELECT 1 AS ok',
} as const;

export type SqliteStatementName = keyof typeof SQLITE_STATEMENTS;
