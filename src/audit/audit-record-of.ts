import type { IncomingMessage } from 'node:http';
import { clientAddressOf } from '../http/request-context.ts';
import type { ObservedEvent } from '../observability/index.ts';
import type { Clock } from '../shared/clock.ts';
import { AUDIT_LOG_TYPE, AUDIT_VERSION, type AuditRecord, type AuditSource } from './audit-record.ts';

/** Client-chosen text (user agent, Origin, Host) is cut here, so that a record stays one short line. */
const MAX_CLIENT_TEXT_LENGTH = 512;

export interface RecordContext {
  /** Read only for events that become records: the MCP hot path's events cost a type check. */
  readonly clock: Clock;
  readonly source: AuditSource;
  /** Behind the router (LOCAL_INSECURE=false): the last X-Forwarded-For hop is the client's address. */
  readonly trustForwarded: boolean;
}

const clientText = (value: string | undefined): string | undefined =>
  value === undefined || value.length <= MAX_CLIENT_TEXT_LENGTH
    ? value
    : value.slice(0, MAX_CLIENT_TEXT_LENGTH);

/** A dual-stack server sees IPv4 clients as `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2); the trail names them as IPv4. */
const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
const withoutIpv4Mapping = (address: string): string => IPV4_MAPPED.exec(address)?.[1] ?? address;

/** Where the action came from, read from its request; only headers that identify, none that authenticate. */
function whereOf(
  request: IncomingMessage | undefined,
  trustForwarded: boolean,
): Pick<AuditRecord, 'address' | 'userAgent' | 'requestId'> {
  if (request === undefined) return {};
  const requestId = request.headers['x-request-id'];
  return {
    address: withoutIpv4Mapping(clientAddressOf(request, trustForwarded)),
    userAgent: clientText(request.headers['user-agent']),
    requestId: typeof requestId === 'string' ? requestId : undefined,
  };
}

/**
 * The audit record of an observed event, or undefined for events that are
 * not security-relevant actions (the funnel's intermediate steps, MCP traffic,
 * refresh outcomes, the supervisor) and for the per-grant MCP rate limit: an
 * authenticated client spending its own budget is throughput, which the
 * metrics count, not an access decision.
 */
export function auditRecordOf(event: ObservedEvent, context: RecordContext): AuditRecord | undefined {
  const base = (): Pick<AuditRecord, 'logType' | 'auditVersion' | 'time' | 'source'> => ({
    logType: AUDIT_LOG_TYPE,
    auditVersion: AUDIT_VERSION,
    time: new Date(context.clock.nowMs()).toISOString(),
    source: context.source,
  });
  const where = (request: IncomingMessage | undefined) => whereOf(request, context.trustForwarded);
  switch (event.type) {
    case 'client.registered':
      return {
        ...base(),
        event: 'audit.client_registered',
        clientId: event.clientId,
        clientName: event.clientName,
        registration: event.registration,
        ...where(event.request),
      };
    case 'confirmation.accepted':
    case 'confirmation.declined':
      return {
        ...base(),
        event:
          event.type === 'confirmation.accepted'
            ? 'audit.confirmation_accepted'
            : 'audit.confirmation_declined',
        clientId: event.clientId,
        clientName: event.clientName,
        ...where(event.request),
      };
    case 'signin.succeeded':
      return {
        ...base(),
        event: 'audit.signin_succeeded',
        accountId: event.accountId,
        clientId: event.clientId,
        clientName: event.clientName,
        grantId: event.grantId,
        ...where(event.request),
      };
    case 'signin.failed':
      return {
        ...base(),
        event: 'audit.signin_failed',
        clientId: event.clientId,
        clientName: event.clientName,
        reason: event.reason,
        ...where(event.request),
      };
    case 'token.issued':
      return {
        ...base(),
        event: 'audit.token_issued',
        accountId: event.accountId,
        clientId: event.clientId,
        grantId: event.grantId,
        grantType: event.grantType,
        ...where(event.request),
      };
    case 'token.revoked':
      return {
        ...base(),
        event: 'audit.token_revoked',
        accountId: event.accountId,
        clientId: event.clientId,
        grantId: event.grantId,
        ...where(event.request),
      };
    case 'grant.revoked':
      return {
        ...base(),
        event: 'audit.grant_revoked',
        accountId: event.accountId,
        clientId: event.clientId,
        grantId: event.grantId,
        by: event.by,
        ...where(event.request),
      };
    case 'step_up.challenged':
      return {
        ...base(),
        event: 'audit.step_up_challenged',
        accountId: event.accountId,
        clientId: event.clientId,
        grantId: event.grantId,
        scopes: event.scopes,
        ...where(event.request),
      };
    case 'session.foreign_user':
      return {
        ...base(),
        event: 'audit.session_foreign_user',
        accountId: event.accountId,
        clientId: event.clientId,
        grantId: event.grantId,
        ...where(event.request),
      };
    case 'origin.refused':
      return {
        ...base(),
        event: 'audit.origin_refused',
        origin: clientText(event.origin),
        host: clientText(event.host),
        ...where(event.request),
      };
    case 'admin.request':
      return {
        ...base(),
        event: 'audit.admin_request',
        action: event.action,
        accountId: event.accountId,
        clientId: event.clientId,
        grantId: event.grantId,
        count: event.count,
        ...where(event.request),
      };
    case 'admin.refused':
      return { ...base(), event: 'audit.admin_refused', reason: event.reason, ...where(event.request) };
    case 'rate_limit.rejected':
      if (event.limiter !== 'address') return undefined;
      return { ...base(), event: 'audit.rate_limited', limiter: event.limiter, ...where(event.request) };
    default:
      return undefined;
  }
}
