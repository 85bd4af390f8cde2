import type { Config } from '../../config/index.ts';
import { systemClock } from '../../shared/clock.ts';
import { silentLogger } from '../../shared/logger.ts';
import { openStore, type KeyValueStore } from '../../store/index.ts';
import type { CliIo } from '../cli-io.ts';
import { describeError } from '../describe-error.ts';
import { EXIT_CONFIG_INVALID, EXIT_FAILURE } from '../exit-codes.ts';
import { loadCliConfig, reportConfigProblems } from '../load-cli-config.ts';

/**
 * Runs `work` on the store `serve` would use (same environment and .env,
 * SQLite or Redis), then closes it. An invalid configuration is exit 3; a
 * store that does not answer is exit 1, with what to check.
 */
export async function withConfiguredStore(
  io: CliIo,
  work: (store: KeyValueStore, config: Config) => Promise<number>,
): Promise<number> {
  const { result } = loadCliConfig(io);
  if (!result.ok) {
    reportConfigProblems(io, result);
    return EXIT_CONFIG_INVALID;
  }
  let store: KeyValueStore;
  try {
    store = await openStore(result.config.store, { clock: systemClock, logger: silentLogger });
    await store.ping();
  } catch (error) {
    io.stderr.write(
      `The store did not answer: ${describeError(error)}\nRun \`mcp-auth-proxy check\` for what to fix.\n`,
    );
    return EXIT_FAILURE;
  }
  try {
    return await work(store, result.config);
  } finally {
    await store.close();
  }
}
