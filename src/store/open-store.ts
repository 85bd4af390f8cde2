import type { StoreConfig } from '../config/config.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { KeyValueStore } from './key-value-store.ts';

export interface OpenStoreDependencies {
  clock: Clock;
  logger: Logger;
}

/**
 * Opens the configured backend. Each one is imported only when chosen, so a
 * SQLite deployment never loads ioredis (and a Redis one never opens SQLite).
 */
export async function openStore(
  config: StoreConfig,
  dependencies: OpenStoreDependencies,
): Promise<KeyValueStore> {
  switch (config.kind) {
    case 'sqlite': {
      const { createSqliteStore } = await import('./sqlite/sqlite-store.ts');
      return createSqliteStore({ path: config.path, clock: dependencies.clock, logger: dependencies.logger });
    }
    case 'redis': {
      const { createRedisStore } = await import('./redis/redis-store.ts');
      return await createRedisStore({
        topology: config.topology,
        keyPrefix: config.keyPrefix,
        tlsRejectUnauthorized: config.tlsRejectUnauthorized,
        logger: dependencies.logger,
        clock: dependencies.clock,
      });
    }
  }
}
