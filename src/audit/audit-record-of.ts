import type { IncomingMessage } from 'node:http';
import { clientAddressOf, requestIdOf } from '../http-kit/request-context.ts';
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
  return {
    address: withoutIpv4Mapping(clientAddressOf(request, trustForwarded)),
    userAgent: clientText(request.headers['user-agent']),
    requestId: requestIdOf(request),
  };
}

/** What an event itself says: the record without the fields every record has (when, which process, where). */
type AuditAction = Omit<
  AuditRecord,
  'logType' | 'auditVersion' | 'time' | 'source' | 'address' | 'userAgent' | 'requestId'
>;

type ObservedEventType = ObservedEvent['type'];
type ActionOf<T extends ObservedEventType> = (
  event: Extract<ObservedEvent, { type: T }>,
) => AuditAction | undefined;

const confirmation = (event: Extract<ObservedEvent, { type: `confirmation.${string}` }>): AuditAction => ({
  event:
    event.type === 'confirmation.accepted' ? 'audit.confirmation_accepted' : 'audit.confirmation_declined',
  clientId: event.clientId,
  clientName: event.clientName,
});

/**
 * The events that are security-relevant actions, each with what its record
 * says. Not here: the funnel's intermediate steps, MCP traffic, refresh
 * outcomes, the supervisor, and the per-grant MCP rate limit (an
 * authenticated client spending its own budget is throughput, which the
 * metrics count, not an access decision).
 */
const ACTIONS: { readonly [T in ObservedEventType]?: ActionOf<T> } = {
  'client.registered': (event) => ({
    event: 'audit.client_registered',
    clientId: event.clientId,
    clientName: event.clientName,
    registration: event.registration,
  }),
  'confirmation.accepted': confirmation,
  'confirmation.declined': confirmation,
  'signin.succeeded': (event) => ({
    event: 'audit.signin_succeeded',
    accountId: event.accountId,
    clientId: event.clientId,
    clientName: event.clientName,
    grantId: event.grantId,
  }),
  'signin.failed': (event) => ({
    event: 'audit.signin_failed',
    clientId: event.clientId,
    clientName: event.clientName,
    reason: event.reason,
  }),
  'signin.refused': (event) => ({
    event: 'audit.signin_refused',
    accountId: event.accountId,
    clientId: event.clientId,
    clientName: event.clientName,
    rule: event.rule,
  }),
  'access.denied': (event) => ({
    event: 'audit.access_denied',
    accountId: event.accountId,
    clientId: event.clientId,
    grantId: event.grantId,
    server: event.server,
    rule: event.rule,
    reason: event.reason,
    method: clientText(event.method),
    kind: event.item?.kind,
    name: clientText(event.item?.name),
  }),
  'token.issued': (event) => ({
    event: 'audit.token_issued',
    accountId: event.accountId,
    clientId: event.clientId,
    grantId: event.grantId,
    grantType: event.grantType,
  }),
  'token.revoked': (event) => ({
    event: 'audit.token_revoked',
    accountId: event.accountId,
    clientId: event.clientId,
    grantId: event.grantId,
  }),
  'grant.revoked': (event) => ({
    event: 'audit.grant_revoked',
    accountId: event.accountId,
    clientId: event.clientId,
    grantId: event.grantId,
    by: event.by,
  }),
  'step_up.challenged': (event) => ({
    event: 'audit.step_up_challenged',
    accountId: event.accountId,
    clientId: event.clientId,
    grantId: event.grantId,
    scopes: event.scopes,
  }),
  'session.foreign_user': (event) => ({
    event: 'audit.session_foreign_user',
    accountId: event.accountId,
    clientId: event.clientId,
    grantId: event.grantId,
  }),
  'origin.refused': (event) => ({
    event: 'audit.origin_refused',
    origin: clientText(event.origin),
    host: clientText(event.host),
  }),
  'admin.request': (event) => ({
    event: 'audit.admin_request',
    action: event.action,
    accountId: event.accountId,
    clientId: event.clientId,
    grantId: event.grantId,
    count: event.count,
  }),
  'admin.refused': (event) => ({ event: 'audit.admin_refused', reason: event.reason }),
  'rate_limit.rejected': (event) =>
    event.limiter === 'address' ? { event: 'audit.rate_limited', limiter: event.limiter } : undefined,
};

/** The audit record of an observed event, or undefined for an event that is not an action ACTIONS lists. */
export function auditRecordOf(event: ObservedEvent, context: RecordContext): AuditRecord | undefined {
  const actionOf = ACTIONS[event.type] as ActionOf<ObservedEventType> | undefined;
  const action = actionOf?.(event);
  if (action === undefined) return undefined;
  return {
    logType: AUDIT_LOG_TYPE,
    auditVersion: AUDIT_VERSION,
    time: new Date(context.clock.nowMs()).toISOString(),
    source: context.source,
    ...action,
    ...whereOf('request' in event ? event.request : undefined, context.trustForwarded),
  };
}
