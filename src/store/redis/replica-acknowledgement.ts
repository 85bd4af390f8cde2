import type { Clock } from '../../shared/clock.ts';
import type { Logger } from '../../shared/logger.ts';

/**
 * How long a write waits for one replica to confirm it (`WAIT 1 <ms>`,
 * https://redis.io/docs/latest/commands/wait/). Replication on one network takes well under a
 * millisecond; this bounds the cost when no replica answers.
 */
export const REPLICA_ACK_TIMEOUT_MS = 100;
/** After a write no replica confirmed, writes stop waiting this long before trying again. */
export const REPLICA_RECHECK_MS = 10_000;

/**
 * Decides whether a write waits for a replica. Redis replicates asynchronously: a write the
 * primary confirmed can be lost if the primary dies before a replica has it, and the replica is
 * then promoted without it. Waiting for one replica closes that window for the writes that
 * confirm something to a client (a grant, a token, a revocation). When no replica confirms in
 * time (the only replica is down, or was just promoted and has none yet), the write stands:
 * availability comes first, the window is open again, and one warning says so. Writes then skip
 * the wait until REPLICA_RECHECK_MS have passed, so a shard without replicas costs one timeout
 * per ten seconds, not one per write.
 */
export class ReplicaAcknowledgement {
  readonly #clock: Clock;
  readonly #logger: Logger;
  #skipUntilMs = Number.NEGATIVE_INFINITY;
  #warned = false;

  constructor(clock: Clock, logger: Logger) {
    this.#clock = clock;
    this.#logger = logger;
  }

  /** True when the next write should be followed by WAIT. */
  shouldWait(): boolean {
    return this.#clock.nowMs() >= this.#skipUntilMs;
  }

  /** Records what WAIT answered: how many replicas have the write. */
  record(acknowledgedBy: number): void {
    if (acknowledgedBy >= 1) {
      if (this.#warned) {
        this.#warned = false;
        this.#logger.info(
          { event: 'store.replica_acknowledging', store: 'redis' },
          'store.replica_acknowledging',
        );
      }
      return;
    }
    this.#skipUntilMs = this.#clock.nowMs() + REPLICA_RECHECK_MS;
    if (this.#warned) return;
    this.#warned = true;
    this.#logger.warn(
      { event: 'store.replica_not_acknowledging', store: 'redis', timeoutMs: REPLICA_ACK_TIMEOUT_MS },
      'store.replica_not_acknowledging',
    );
  }
}
