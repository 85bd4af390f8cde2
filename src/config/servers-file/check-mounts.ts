import { mountPathsOverlap } from '../mount-path.ts';
import { quoteValue } from '../parsers/index.ts';
import type { EntryOutcome } from './read-entry.ts';
import type { FileReport } from './file-report.ts';

/**
 * The checks across entries: ids are unique (they name the server in logs
 * and /readyz), and no two mount paths overlap, since one request path would
 * then belong to two servers. Returns false when one failed.
 */
export function checkMounts(outcomes: readonly EntryOutcome[], report: FileReport): boolean {
  let distinct = true;
  outcomes.forEach((outcome, position) => {
    const earlier = outcomes.slice(0, position);
    const sameId = earlier.find((other) => other.id !== undefined && other.id === outcome.id);
    if (sameId !== undefined) {
      distinct = false;
      report.problem(
        `servers[${outcome.index}].id`,
        `${quoteValue(outcome.id ?? '')} is also the id of servers[${sameId.index}]; each server needs its own id`,
      );
    }
    const { path } = outcome;
    if (path === undefined) return;
    const overlapping = earlier.find(
      (other) => other.path !== undefined && mountPathsOverlap(other.path, path),
    );
    if (overlapping?.path !== undefined) {
      distinct = false;
      const relation =
        overlapping.path.replace(/\/+$/, '') === path.replace(/\/+$/, '') ? 'is the same as' : 'overlaps';
      report.problem(
        `servers[${outcome.index}].path`,
        `${quoteValue(path)} ${relation} servers[${overlapping.index}].path ${quoteValue(overlapping.path)}: a request path would belong to both servers; give each server a path of its own that is not inside another's`,
      );
    }
  });
  return distinct;
}
