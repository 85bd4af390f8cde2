import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { Observe } from '../observability/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { AuditRecord, AuditSink, AuditSource } from './audit-record.ts';
import { auditRecordOf } from './audit-record-of.ts';
import type { ClientNames } from './client-names.ts';

/**
 * A client address refused by MAX_REQUESTS is recorded once per this interval:
 * a flood of refused requests must not become a flood of audit lines (the
 * metrics count every refusal).
 */
const RATE_LIMITED_RECORD_INTERVAL_MS = 60_000;
/** Addresses remembered for that; beyond it the oldest is forgotten (and may be recorded again). */
const MAX_RATE_LIMITED_ADDRESSES = 10_000;

export interface AuditTrailOptions {
  readonly sink: AuditSink;
  readonly source: AuditSource;
  /** Behind the router (LOCAL_INSECURE=false): the last X-Forwarded-For hop is the client's address. */
  readonly trustForwarded: boolean;
  /** Names for records whose event knows only the client id; without it, such records carry none. */
  readonly clientNames?: ClientNames | undefined;
  /** Fields every record of this process carries (the CLI's `osUser`). */
  readonly fields?: Pick<AuditRecord, 'osUser'> | undefined;
  readonly clock: Clock;
}

export interface AuditTrail {
  /** The observer: each security-relevant event becomes one record, written in the order told. */
  readonly observe: Observe;
  /** Writes every record told so far, then closes the sink. */
  close(): Promise<void>;
}

export function createAuditTrail(options: AuditTrailOptions): AuditTrail {
  const { sink, clientNames, clock } = options;
  const recordContext = { clock, source: options.source, trustForwarded: options.trustForwarded };
  const rateLimited = new Map<string, number>();
  // Records wait for a client name only while a lookup is pending; they leave in the order told.
  let waiting = 0;
  let tail: Promise<void> = Promise.resolve();

  const isRepeatedRateLimit = (record: AuditRecord, nowMs: number): boolean => {
    const key = record.address ?? '';
    const lastMs = rateLimited.get(key);
    if (lastMs !== undefined && nowMs - lastMs < RATE_LIMITED_RECORD_INTERVAL_MS) return true;
    rateLimited.delete(key);
    rateLimited.set(key, nowMs);
    if (rateLimited.size > MAX_RATE_LIMITED_ADDRESSES) {
      const oldest = rateLimited.keys().next();
      if (oldest.done !== true) rateLimited.delete(oldest.value);
    }
    return false;
  };

  const observe: Observe = (event) => {
    const record = auditRecordOf(event, recordContext);
    if (record === undefined) return;
    if (record.event === 'audit.rate_limited' && isRepeatedRateLimit(record, Date.parse(record.time))) return;
    // Read now: the active span is the one of the request that told the event.
    const spanContext = trace.getActiveSpan()?.spanContext();
    const full: AuditRecord = {
      ...record,
      ...(spanContext !== undefined && isSpanContextValid(spanContext)
        ? { traceId: spanContext.traceId }
        : {}),
      ...options.fields,
    };
    const { clientId, clientName } = full;
    if (clientId === undefined || clientNames === undefined) return enqueue(full, clientName);
    if (clientName !== undefined) {
      clientNames.remember(clientId, clientName);
      return enqueue(full, clientName);
    }
    enqueue(full, clientNames.nameOf(clientId));
  };

  const enqueue = (record: AuditRecord, name: string | undefined | Promise<string | undefined>) => {
    if (waiting === 0 && !(name instanceof Promise)) return sink.write(named(record, name));
    waiting += 1;
    const resolved = Promise.resolve(name);
    tail = tail
      .then(() => resolved)
      .then((clientName) => sink.write(named(record, clientName)))
      .catch(() => undefined)
      .finally(() => {
        waiting -= 1;
      });
  };

  return {
    observe,
    close: async () => {
      await tail;
      await sink.close();
    },
  };
}

const named = (record: AuditRecord, clientName: string | undefined): AuditRecord =>
  clientName === undefined || record.clientName !== undefined ? record : { ...record, clientName };
