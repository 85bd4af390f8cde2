import type { Config } from '../../config/index.ts';
import type { Finding } from '../output.ts';
import { checkBaseUrl } from './check-base-url.ts';
import { checkIdentityProvider } from './check-identity-provider.ts';
import { checkMcpServers } from './check-mcp-server.ts';
import { checkStore } from './check-store.ts';

/** Every live check of a valid configuration, run side by side, reported in a fixed order. */
export async function runChecks(
  config: Config,
  environment: Readonly<Record<string, string | undefined>>,
  workingDirectory: string,
): Promise<Finding[]> {
  const [store, identity, mcp] = await Promise.all([
    checkStore(config.store),
    checkIdentityProvider(config),
    checkMcpServers(config, environment, workingDirectory),
  ]);
  return [store, ...identity, ...mcp, ...checkBaseUrl(config)];
}
