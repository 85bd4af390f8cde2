import type { Logger } from '../shared/logger.ts';
import type { AuditRecord, AuditSink } from './audit-record.ts';

/**
 * Audit records as lines of the proxy's own JSON log stream, marked by
 * `logType`. Written at info through a child whose level is its own: an
 * audit trail that LOG_LEVEL=warn silenced would be no trail. The logger
 * stamps `time` (and `app`, `environment`) itself, so the record's is left out.
 */
export function stdoutAuditSink(logger: Logger): AuditSink {
  const audit = logger.child({}, { level: 'info' });
  return {
    write(record: AuditRecord) {
      const { time: _time, ...fields } = record;
      audit.info(fields, record.event);
    },
    close: () => Promise.resolve(),
  };
}
