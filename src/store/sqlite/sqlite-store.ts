import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';
import type { Clock } from '../../shared/clock.ts';
import type { Logger } from '../../shared/logger.ts';
import { DependencyUnavailableError } from '../../http-kit/dependency-unavailable-error.ts';
import type { KeyValueStore } from '../key-value-store.ts';
import { runSync } from '../run-sync.ts';
import { wholeAmount, wholeTtlMs, wholeWindowMs } from '../ttl.ts';
import { inImmediateTransaction } from './immediate-transaction.ts';
import { openSqliteDatabase } from './open-sqlite-database.ts';
import { migrate } from './sqlite-schema.ts';
import { SQLITE_STATEMENTS, type SqliteStatementName } from './sqlite-statements.ts';

/** How often expired rows are deleted; reads already ignore them, this only reclaims space. */
export const SWEEP_INTERVAL_MS = 60_000;

/** SQLite primary result codes for "another connection holds the lock" (https://www.sqlite.org/rescode.html). */
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;

export interface SqliteStoreOptions {
  /** The database file; its folder is created (0700) and a new file is 0600. */
  path: string;
  clock: Clock;
  /** Where a failed background sweep is reported. */
  logger?: Logger;
}

/** The SQLite store also offers its sweep, for operator tools and tests. */
export interface SqliteStore extends KeyValueStore {
  /** Deletes every expired value and set now; resolves to the number of rows removed. */
  sweepExpired(): Promise<number>;
}

type Row = Record<string, SQLOutputValue>;

const textColumn = (row: Row | undefined, column: string): string | undefined => {
  const value = row?.[column];
  return typeof value === 'string' ? value : undefined;
};

const expiresAtOf = (row: Row): number | undefined =>
  typeof row.expires_at === 'number' ? row.expires_at : undefined;

function isLockContention(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('errcode' in error)) return false;
  const primaryCode = Number(error.errcode) & 0xff;
  return primaryCode === SQLITE_BUSY || primaryCode === SQLITE_LOCKED;
}

/**
 * The port on Node's built-in SQLite (node:sqlite): the default, embedded
 * backend. Several processes may share one file (WAL + busy_timeout). An
 * expired row is invisible to every read, deleted lazily when a read meets it,
 * and swept periodically.
 */
export function createSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const { clock, logger } = options;
  const db = openSqliteDatabase(options.path);
  try {
    migrate(db, clock.nowMs());
  } catch (error) {
    db.close();
    throw error;
  }
  const statements = prepareAll(db);
  let closed = false;

  /** Runs one step; lock contention and use after close become the port's "store unavailable". */
  const guarded = <T>(step: () => T): Promise<T> =>
    runSync(() => {
      if (closed) throw new DependencyUnavailableError('store', 'The SQLite store is closed.');
      try {
        return step();
      } catch (error) {
        if (!isLockContention(error)) throw error;
        throw new DependencyUnavailableError(
          'store',
          'The SQLite store is locked by another process.',
          error,
        );
      }
    });

  const expiryFor = (ttlMs: number | undefined, nowMs: number): number | null => {
    const whole = wholeTtlMs(ttlMs);
    return whole === undefined ? null : nowMs + whole;
  };

  /** Clean-up met on a read: best effort, since a read must not fail because another process is writing. */
  function deleteLazily(step: () => unknown): void {
    try {
      step();
    } catch (error) {
      if (!isLockContention(error)) throw error;
    }
  }

  function sweep(): number {
    const now = clock.nowMs();
    const values = statements.sweepValues.run({ now }).changes;
    const sets = statements.sweepSets.run({ now }).changes;
    return Number(values) + Number(sets);
  }

  const sweepTimer = setInterval(() => {
    try {
      if (!closed) sweep();
    } catch (error) {
      // The next sweep retries; reads never depend on it.
      logger?.warn({ event: 'store.sweep_failed', err: error }, 'store.sweep_failed');
    }
  }, SWEEP_INTERVAL_MS);
  sweepTimer.unref();

  return {
    kind: 'sqlite',

    get: (key) =>
      guarded(() => {
        const now = clock.nowMs();
        const row = statements.getValue.get({ key });
        if (row === undefined) return undefined;
        const expiresAt = expiresAtOf(row);
        if (expiresAt !== undefined && expiresAt <= now) {
          deleteLazily(() => statements.deleteExpiredValue.run({ key, now }));
          return undefined;
        }
        return textColumn(row, 'value');
      }),

    set: (key, value, setOptions) =>
      guarded(() => {
        const expiresAt = expiryFor(setOptions?.ttlMs, clock.nowMs());
        statements.setValue.run({ key, value, expiresAt });
      }),

    setIfAbsent: (key, value, setOptions) =>
      guarded(() => {
        const now = clock.nowMs();
        const expiresAt = expiryFor(setOptions?.ttlMs, now);
        return Number(statements.setValueIfAbsent.run({ key, value, expiresAt, now }).changes) === 1;
      }),

    compareAndSet: (key, expected, value, setOptions) =>
      guarded(() => {
        const now = clock.nowMs();
        const expiresAt = expiryFor(setOptions?.ttlMs, now);
        const { changes } = statements.compareAndSetValue.run({ key, expected, value, expiresAt, now });
        return Number(changes) === 1;
      }),

    take: (key) =>
      guarded(() => {
        const row = statements.takeValue.get({ key });
        if (row === undefined) return undefined;
        const expiresAt = expiresAtOf(row);
        return expiresAt !== undefined && expiresAt <= clock.nowMs() ? undefined : textColumn(row, 'value');
      }),

    delete: (...keys) =>
      guarded(() => {
        if (keys.length === 0) return;
        const list = JSON.stringify(keys);
        inImmediateTransaction(db, () => {
          statements.deleteValues.run({ keys: list });
          statements.deleteSets.run({ keys: list });
        });
      }),

    addToSet: (key, member, setOptions) =>
      guarded(() => {
        const now = clock.nowMs();
        const expiresAt = expiryFor(setOptions?.ttlMs, now);
        return inImmediateTransaction(db, () => {
          // An expired set is gone: the new member starts a fresh set rather than reviving old members.
          statements.deleteExpiredSet.run({ key, now });
          statements.upsertSet.run({ key, expiresAt });
          statements.addMember.run({ key, member });
          return Number(statements.countMembers.get({ key })?.['size']);
        });
      }),

    removeFromSet: (key, ...members) =>
      guarded(() => {
        if (members.length === 0) return;
        inImmediateTransaction(db, () => {
          statements.removeMembers.run({ key, members: JSON.stringify(members) });
          statements.deleteEmptySet.run({ key });
        });
      }),

    members: (key) =>
      guarded(() =>
        statements.members
          .all({ key, now: clock.nowMs() })
          .map((row) => textColumn(row, 'member'))
          .filter((member) => member !== undefined),
      ),

    increment: (key, windowMs, amount) =>
      guarded(() => {
        const now = clock.nowMs();
        const expiresAt = now + wholeWindowMs(windowMs);
        const row = statements.increment.get({ key, expiresAt, now, amount: wholeAmount(amount) });
        const windowEnd = row === undefined ? expiresAt : (expiresAtOf(row) ?? expiresAt);
        return { count: Number(textColumn(row, 'value')), resetInMs: windowEnd - now };
      }),

    async *keys(prefix) {
      const rows = await guarded(() => statements.keys.all({ prefix, now: clock.nowMs() }));
      for (const row of rows) {
        const key = textColumn(row, 'key');
        if (key !== undefined) yield key;
      }
    },

    ping: () =>
      guarded(() => {
        statements.ping.get();
      }),

    sweepExpired: () => guarded(sweep),

    close: () =>
      runSync(() => {
        if (closed) return;
        closed = true;
        clearInterval(sweepTimer);
        db.close();
      }),
  };
}

function prepareAll(db: DatabaseSync): Record<SqliteStatementName, StatementSync> {
  const names = Object.keys(SQLITE_STATEMENTS) as SqliteStatementName[];
  return Object.fromEntries(names.map((name) => [name, db.prepare(SQLITE_STATEMENTS[name])])) as Record<
    SqliteStatementName,
    StatementSync
  >;
}
