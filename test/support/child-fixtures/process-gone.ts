import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * True when no process has this pid any more. A zombie (exited, not yet
 * reaped by whatever init the machine runs) counts as gone: it runs no code
 * and holds no port.
 */
export async function processGone(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Field 3, after the parenthesised command name, is the state; Z = zombie.
  return /\) Z /.test(stat);
}

/**
 * Waits until the pid is gone. Signals are delivered asynchronously and the
 * orphan is reaped by init, so the pid may linger briefly; a process that
 * survives the deadline is a real leak.
 */
export async function waitForProcessGone(pid: number, deadlineMs = 5_000): Promise<boolean> {
  const giveUpAt = Date.now() + deadlineMs;
  while (Date.now() < giveUpAt) {
    if (await processGone(pid)) return true;
    await sleep(20);
  }
  return await processGone(pid);
}
