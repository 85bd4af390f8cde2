/** How long to wait before restarting a child that exited on its own. */
export interface RestartBackoffPolicy {
  /** The first delay; each further consecutive failure doubles it. */
  readonly initialMs: number;
  /** The ceiling of the delay, however often the child fails. */
  readonly maxMs: number;
  /** A child that stayed up this long is healthy again: the next delay starts over at initialMs. */
  readonly resetAfterMs: number;
}

export const DEFAULT_RESTART_BACKOFF: RestartBackoffPolicy = {
  initialMs: 500,
  maxMs: 30_000,
  resetAfterMs: 60_000,
};

export interface RestartDelay {
  readonly delayMs: number;
  /** 1 for the first restart after a healthy run, 2 for the next consecutive one, ... */
  readonly attempt: number;
}

export interface RestartBackoff {
  /** The delay before the next restart, given how long the child that just failed had been up. */
  next(uptimeMs: number): RestartDelay;
}

/**
 * Exponential backoff, so that a crash loop neither spins the CPU nor floods
 * the logs, while a server that crashes rarely is back within half a second.
 */
export function createRestartBackoff(policy: RestartBackoffPolicy): RestartBackoff {
  let consecutiveFailures = 0;
  return {
    next(uptimeMs) {
      if (uptimeMs >= policy.resetAfterMs) consecutiveFailures = 0;
      const delayMs = Math.min(policy.maxMs, policy.initialMs * 2 ** consecutiveFailures);
      consecutiveFailures += 1;
      return { delayMs, attempt: consecutiveFailures };
    },
  };
}
