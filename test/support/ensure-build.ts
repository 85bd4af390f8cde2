/**
 * Makes `dist/` current (`npm run build`) so that a test can use the package as
 * a user does: `import ... from 'mcp-auth-proxy/identity'` resolves through
 * package.json `exports` to `dist/upstream-idp/index.js`.
 *
 * `node --test` runs test files in parallel processes, and two `tsc` runs
 * writing the same `dist/` would leave half-written files for a third process
 * to read. So the build runs under a lock file, and is skipped when a stamp
 * (written after the last successful build) is newer than every input.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const CACHE_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'mcp-auth-proxy');
const LOCK_PATH = join(CACHE_DIR, 'build.lock');
const STAMP_PATH = join(CACHE_DIR, 'build.stamp');
/** What the build reads: a change to any of these makes `dist/` stale. */
const BUILD_INPUTS = [
  'src',
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'scripts/copy-assets.mjs',
];
/** What the tests need from the build. */
const BUILD_OUTPUTS = ['dist/upstream-idp/index.js', 'dist/upstream-idp/index.d.ts'];
/** A clean build takes about 7 s; a lock older than this belongs to a process that died mid-build. */
const STALE_LOCK_MS = 120_000;
const LOCK_POLL_MS = 100;

const run = promisify(execFile);
let built: Promise<void> | undefined;

/** Builds the package once per test process, unless `dist/` is already newer than its sources. */
export function ensureBuild(): Promise<void> {
  built ??= buildUnderLock();
  return built;
}

async function buildUnderLock(): Promise<void> {
  mkdirSync(CACHE_DIR, { recursive: true });
  await acquireLock();
  try {
    if (!isStale()) return;
    const startedMs = Date.now();
    try {
      await run('npm', ['run', 'build'], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`npm run build failed:\n${stdout}${stderr}`, { cause: error });
    }
    // Stamped with the start time: a source saved during the build still counts as newer.
    writeFileSync(STAMP_PATH, String(startedMs));
  } finally {
    rmSync(LOCK_PATH, { force: true });
  }
}

async function acquireLock(): Promise<void> {
  for (;;) {
    try {
      // Exclusive create: of several processes, exactly one gets the lock.
      writeFileSync(LOCK_PATH, String(process.pid), { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (lockIsAbandoned()) rmSync(LOCK_PATH, { force: true });
    else await delay(LOCK_POLL_MS);
  }
}

/** The holder died (an interrupted test run never reaches its `finally`), or held it implausibly long. */
function lockIsAbandoned(): boolean {
  const holderPid = Number(readText(LOCK_PATH));
  if (Number.isInteger(holderPid) && holderPid > 0 && !isAlive(holderPid)) return true;
  return Date.now() - (mtimeMs(LOCK_PATH) ?? Date.now()) > STALE_LOCK_MS;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isStale(): boolean {
  if (BUILD_OUTPUTS.some((output) => mtimeMs(join(REPO_ROOT, output)) === undefined)) return true;
  const stampMs = Number(readText(STAMP_PATH) ?? Number.NaN);
  if (!Number.isFinite(stampMs)) return true;
  return BUILD_INPUTS.some((input) => newestMtimeMs(join(REPO_ROOT, input)) > stampMs);
}

function newestMtimeMs(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file changes its directory's mtime
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtimeMs(join(path, entry)));
  return newest;
}

function mtimeMs(path: string): number | undefined {
  return statSync(path, { throwIfNoEntry: false })?.mtimeMs;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
