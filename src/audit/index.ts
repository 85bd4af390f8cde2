export {
  AUDIT_EVENTS,
  AUDIT_LOG_TYPE,
  AUDIT_VERSION,
  type AuditEventName,
  type AuditRecord,
  type AuditSink,
  type AuditSource,
} from './audit-record.ts';
export { auditRecordOf, type RecordContext } from './audit-record-of.ts';
export { ClientNames, storedClientName, type FindClientName } from './client-names.ts';
export { createAuditTrail, type AuditTrail, type AuditTrailOptions } from './create-audit-trail.ts';
export { FileAuditSink, type FileAuditSinkOptions } from './file-audit-sink.ts';
export { openAuditTrail, type OpenAuditTrailOptions } from './open-audit-trail.ts';
export { stdoutAuditSink } from './stdout-audit-sink.ts';
