import { userInfo } from 'node:os';
import { Writable } from 'node:stream';
import { openAuditTrail, storedClientName, type AuditTrail } from '../audit/index.ts';
import type { Config } from '../config/index.ts';
import { systemClock } from '../shared/clock.ts';
import { createLogger } from '../shared/logger.ts';
import type { KeyValueStore } from '../store/index.ts';
import type { CliIo } from './cli-io.ts';

/**
 * The audit trail of an operator's command, to the destination the proxy
 * writes to (MCP_AUTH_PROXY_AUDIT_LOG). With `stdout`, the lines go to the
 * command's standard error: its standard output is its answer (`--json`),
 * and a platform that collects a process's output collects both streams.
 */
export function openCliAuditTrail(
  io: CliIo,
  config: Config,
  store: KeyValueStore,
): Promise<AuditTrail | undefined> {
  const stderr = new Writable({
    write(chunk: Buffer, _encoding, done) {
      io.stderr.write(chunk.toString('utf8'));
      done();
    },
  });
  return openAuditTrail({
    destination: config.audit.destination,
    source: 'cli',
    logger: createLogger({
      level: config.log.level,
      appName: config.log.appName,
      environment: config.log.environment,
      destination: stderr,
    }),
    app: config.log.appName,
    environment: config.log.environment,
    trustForwarded: !config.localInsecure,
    findClientName: storedClientName(store),
    fields: { osUser: operatingSystemUser() },
    clock: systemClock,
  });
}

/** Who ran the command, as the operating system knows them; a container may have no name for its user. */
function operatingSystemUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}
