import type { ProcessExit } from './exit-code.ts';
import type { SupervisedChild } from './spawn-child.ts';
import { settlesWithin } from '../shared/settles-within.ts';

/** How long output may stay open after SIGKILL before we stop reading it. */
const OUTPUT_DRAIN_MS = 1_000;

/**
 * Ends the child and everything in its process group: SIGTERM, then SIGKILL
 * once `graceMs` has passed (at once when `graceMs` is 0, as after a crash,
 * where the survivors are orphans of a dead server and may hold its port).
 * Resolves with the child's own exit once it and its output are gone.
 * Safe to call more than once, and on a child that has already exited.
 */
export async function terminateChild(child: SupervisedChild, graceMs: number): Promise<ProcessExit> {
  if (graceMs > 0) {
    child.signalGroup('SIGTERM');
    // Output closes when the child and every grandchild holding its stdout/stderr are gone.
    if (await settlesWithin(child.outputClosed, graceMs)) {
      child.signalGroup('SIGKILL'); // grandchildren that closed their output but live on
      return await child.exited;
    }
  }
  child.signalGroup('SIGKILL');
  // A process that left the group (setsid) can keep the pipes open; stop waiting for it.
  if (!(await settlesWithin(child.outputClosed, OUTPUT_DRAIN_MS))) child.dropOutput();
  return await child.exited;
}
