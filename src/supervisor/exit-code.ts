import { constants } from 'node:os';

/** How a process ended, as Node reports it: exactly one of the two is set. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * The status a shell would report for this exit (POSIX XCU 2.8.2 "Exit Status
 * for Commands"): the exit code itself, or 128 + the signal number when the
 * process was killed by a signal. The Heroku proxy exited 0 when its child was
 * killed by a signal, which hid crashes from the platform; 128 + n never does.
 */
export function exitCodeOf(exit: ProcessExit): number {
  if (exit.code !== null) return exit.code;
  return exit.signal === null ? 1 : signalExitCode(exit.signal);
}

export function signalExitCode(signal: NodeJS.Signals): number {
  const signalNumber: number | undefined = constants.signals[signal];
  return 128 + (signalNumber ?? 0);
}
