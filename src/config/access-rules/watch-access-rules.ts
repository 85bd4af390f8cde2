import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AccessRulesFile } from './access-rules-config.ts';
import { reloadAccessRules, type ReloadedRules } from './reload-access-rules.ts';

/** An editor writes a file in several steps (truncate, write, rename): wait until they stop. */
export const RULES_DEBOUNCE_MS = 200;
/** fs.watch misses changes on some file systems (NFS, some container mounts): look anyway this often. */
export const RULES_POLL_MS = 2_000;

export interface WatchOptions {
  /** Told the rules read after each change of the file: new rules, or every problem in them. */
  readonly onReload: (reloaded: ReloadedRules) => void;
  readonly debounceMs?: number;
  readonly pollMs?: number;
}

export interface RulesWatch {
  close(): void;
}

/**
 * Watches the file the access rules come from and reads them again when it
 * changes. The directory is watched, not the file: editors and Kubernetes
 * ConfigMaps replace a file by renaming another over it (a ConfigMap swaps a
 * `..data` symlink), which a watch on the file itself stops seeing. Every
 * event, and a poll for file systems without events, only leads to a read
 * when the file's modification time, size or inode has changed.
 */
export async function watchAccessRules(file: AccessRulesFile, options: WatchOptions): Promise<RulesWatch> {
  const debounceMs = options.debounceMs ?? RULES_DEBOUNCE_MS;
  let seen = await signatureOf(file.path);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let checking: Promise<void> = Promise.resolve();

  const check = (): void => {
    // One check at a time, in order: two reads of one change never race to replace each other.
    checking = checking
      .then(async () => {
        const now = await signatureOf(file.path);
        if (closed || now === seen) return;
        seen = now;
        options.onReload(reloadAccessRules(file));
      })
      .catch(() => undefined);
  };
  const soon = (): void => {
    clearTimeout(timer);
    timer = setTimeout(check, debounceMs);
    timer.unref();
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(file.path), { persistent: false }, soon);
    watcher.on('error', () => undefined);
  } catch {
    // A directory that cannot be watched is still polled.
  }
  const poll = setInterval(check, options.pollMs ?? RULES_POLL_MS);
  poll.unref();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(poll);
      watcher?.close();
    },
  };
}

/** What changes when the file does; `missing` while it is gone (being replaced, or deleted). */
async function signatureOf(path: string): Promise<string> {
  try {
    const stats = await stat(path);
    return `${stats.mtimeMs}:${stats.size}:${stats.ino}`;
  } catch {
    return 'missing';
  }
}
