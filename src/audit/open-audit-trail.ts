import type { AuditDestination } from '../config/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { AuditRecord, AuditSink, AuditSource } from './audit-record.ts';
import { ClientNames, type FindClientName } from './client-names.ts';
import { createAuditTrail, type AuditTrail } from './create-audit-trail.ts';
import { FileAuditSink } from './file-audit-sink.ts';
import { stdoutAuditSink } from './stdout-audit-sink.ts';

export interface OpenAuditTrailOptions {
  /** MCP_AUTH_PROXY_AUDIT_LOG. */
  readonly destination: AuditDestination;
  readonly source: AuditSource;
  /** The process's JSON log stream: audit lines in `stdout` mode, and the file sink's warnings. */
  readonly logger: Logger;
  /** APP_NAME and ENVIRONMENT, written on each line of an audit file as on each log line. */
  readonly app: string;
  readonly environment: string;
  readonly trustForwarded: boolean;
  readonly findClientName?: FindClientName | undefined;
  readonly fields?: Pick<AuditRecord, 'osUser'> | undefined;
  readonly clock: Clock;
}

/**
 * The audit trail MCP_AUTH_PROXY_AUDIT_LOG asks for, or undefined when it is
 * `off`. A file is opened at once, so that one that cannot be written is
 * reported at start (a warning: the proxy serves on, and retries each write).
 */
export async function openAuditTrail(options: OpenAuditTrailOptions): Promise<AuditTrail | undefined> {
  const { destination } = options;
  if (destination.kind === 'off') return undefined;
  let sink: AuditSink;
  if (destination.kind === 'stdout') {
    sink = stdoutAuditSink(options.logger);
  } else {
    const file = new FileAuditSink({
      path: destination.path,
      app: options.app,
      environment: options.environment,
      logger: options.logger,
    });
    await file.open();
    sink = file;
  }
  return createAuditTrail({
    sink,
    source: options.source,
    trustForwarded: options.trustForwarded,
    clientNames:
      options.findClientName === undefined
        ? undefined
        : new ClientNames(options.findClientName, options.clock),
    fields: options.fields,
    clock: options.clock,
  });
}
