/**
 * One of several processes sharing a SQLite store file (driven by
 * sqlite-store.test.ts): counts, competes for a lock and for one value,
 * and reports what it got as JSON on stdout.
 */
import { systemClock } from '../../../src/shared/clock.ts';
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

const [path, label, incrementsText] = process.argv.slice(2);
if (path === undefined || label === undefined || incrementsText === undefined) {
  throw new Error('usage: sqlite-worker.ts <path> <label> <increments>');
}
const store = createSqliteStore({ path, clock: systemClock });
let taken: string | undefined;
let won = false;
for (let i = 0; i < Number(incrementsText); i += 1) {
  await store.increment('hits', 60_000);
  if (i === 10) {
    won = await store.setIfAbsent('lock', label, { ttlMs: 60_000 });
    taken = await store.take('prize');
  }
}
await store.close();
process.stdout.write(JSON.stringify({ won, taken: taken ?? null }));
