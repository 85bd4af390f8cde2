import type { StoreConfig } from '../config/config.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { InvalidationBus } from './invalidation-bus.ts';
import type { KeyValueStore } from './key-value-store.ts';
import { createPollingInvalidationBus } from './polling-invalidation-bus.ts';

export interface OpenInvalidationBusDependencies {
  /** The store opened from the same configuration (the polling bus keeps its revision there). */
  readonly store: KeyValueStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * The invalidation bus that matches the store: Redis pub/sub for Redis (ioredis
 * loaded only then), the store-polling bus for SQLite, where every process
 * that shares the file (the `grants revoke` command included) can reach it.
 */
export async function openInvalidationBus(
  config: StoreConfig,
  dependencies: OpenInvalidationBusDependencies,
): Promise<InvalidationBus> {
  const { store, clock, logger } = dependencies;
  switch (config.kind) {
    case 'sqlite':
      return await createPollingInvalidationBus({ store, clock, logger });
    case 'redis': {
      const { createRedisInvalidationBus } = await import('./redis/redis-invalidation-bus.ts');
      return await createRedisInvalidationBus({
        topology: config.topology,
        keyPrefix: config.keyPrefix,
        tlsRejectUnauthorized: config.tlsRejectUnauthorized,
        clock,
        logger,
      });
    }
  }
}
