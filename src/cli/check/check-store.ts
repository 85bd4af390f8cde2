import type { StoreConfig } from '../../config/index.ts';
import { systemClock } from '../../shared/clock.ts';
import { silentLogger } from '../../shared/logger.ts';
import { openStore, redisLocation, type KeyValueStore } from '../../store/index.ts';
import { describeError } from '../describe-error.ts';
import { fail, pass, type Finding } from '../output.ts';

const NAME = 'store';

/** Opens the configured store, pings it and closes it again, as `serve` does first. */
export async function checkStore(config: StoreConfig): Promise<Finding> {
  const where =
    config.kind === 'sqlite' ? `SQLite file ${config.path}` : `Redis at ${redisLocation(config.topology)}`;
  let store: KeyValueStore | undefined;
  try {
    store = await openStore(config, { clock: systemClock, logger: silentLogger });
    await store.ping();
    return pass(NAME, `${where} answers`);
  } catch (error) {
    return fail(NAME, `${where} did not answer: ${describeError(error)}`, fixFor(config));
  } finally {
    await store?.close().catch(() => undefined);
  }
}

function fixFor(config: StoreConfig): string {
  if (config.kind === 'sqlite') {
    return 'MCP_AUTH_PROXY_SQLITE_PATH must name a file whose folder this user can create and write (a SQLite file of a newer release is refused); or set MCP_AUTH_PROXY_REDIS_URL.';
  }
  if (config.topology.kind === 'single') {
    return 'Check MCP_AUTH_PROXY_REDIS_URL (host, port, password; rediss:// for TLS) and that Redis runs and is reachable from here. Self-signed TLS certificates need MCP_AUTH_PROXY_REDIS_TLS_REJECT_UNAUTHORIZED=false.';
  }
  return 'Check the addresses (MCP_AUTH_PROXY_REDIS_SENTINELS and _SENTINEL_MASTER, or _CLUSTER_NODES), MCP_AUTH_PROXY_REDIS_PASSWORD, MCP_AUTH_PROXY_REDIS_TLS and, behind NAT, MCP_AUTH_PROXY_REDIS_NAT_MAP; and that every node is reachable from here.';
}
