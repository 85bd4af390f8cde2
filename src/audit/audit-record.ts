import type { AdminAction } from '../observability/index.ts';

/**
 * The audit trail's records: the stable interface operators and their log
 * pipelines rely on (docs/observability.md#audit-trail). A change that could
 * break a consumer (a field renamed, removed or retyped, an event renamed)
 * raises AUDIT_VERSION; adding an event or an optional field does not.
 */
export const AUDIT_VERSION = 1;

/** The routing field: `"logType":"audit"` tells audit lines apart from ordinary log lines. */
export const AUDIT_LOG_TYPE = 'audit';

export const AUDIT_EVENTS = [
  'audit.client_registered',
  'audit.confirmation_accepted',
  'audit.confirmation_declined',
  'audit.signin_succeeded',
  'audit.signin_failed',
  'audit.signin_refused',
  'audit.token_issued',
  'audit.token_revoked',
  'audit.grant_revoked',
  'audit.step_up_challenged',
  'audit.session_foreign_user',
  'audit.access_denied',
  'audit.origin_refused',
  'audit.rate_limited',
  'audit.admin_request',
  'audit.admin_refused',
] as const;

export type AuditEventName = (typeof AUDIT_EVENTS)[number];

/** Which process wrote the record: the running proxy, or the `mcp-auth-proxy` command (operator actions). */
export type AuditSource = 'proxy' | 'cli';

/**
 * One security-relevant action: who (accountId, osUser), which client
 * (clientId, clientName, grantId), what (event and its own fields) and where
 * (address, userAgent, requestId, traceId). A field is absent when it is not
 * known for that action. Never a token, code, secret, cookie or header value
 * that authenticates.
 */
export interface AuditRecord {
  readonly logType: typeof AUDIT_LOG_TYPE;
  readonly auditVersion: typeof AUDIT_VERSION;
  /** ISO 8601, when the action happened. */
  readonly time: string;
  readonly event: AuditEventName;
  readonly source: AuditSource;

  /** The user: their account id at the identity provider (the OIDC `sub`). */
  readonly accountId?: string | undefined;
  readonly clientId?: string | undefined;
  readonly clientName?: string | undefined;
  /** The authorization (`mcp-auth-proxy grants list` / `grants revoke`). */
  readonly grantId?: string | undefined;

  /** The client's address, as the proxy trusts it (the router's X-Forwarded-For hop unless LOCAL_INSECURE). */
  readonly address?: string | undefined;
  readonly userAgent?: string | undefined;
  /** The `x-request-id` of the request, as in the proxy's log lines and response headers. */
  readonly requestId?: string | undefined;
  /** The W3C trace id of the active OpenTelemetry span, when tracing is on. */
  readonly traceId?: string | undefined;

  /** audit.client_registered: `dynamic` (RFC 7591) or `metadata_document` (a client ID metadata document). */
  readonly registration?: 'dynamic' | 'metadata_document' | undefined;
  /**
   * audit.signin_failed: the OAuth error the sign-in ended with; audit.admin_refused: missing_token or
   * wrong_token; audit.access_denied: denied (a deny rule) or not-allowed (outside an allow-list).
   */
  readonly reason?: string | undefined;
  /** audit.token_issued: authorization_code, refresh_token, urn:ietf:params:oauth:grant-type:device_code. */
  readonly grantType?: string | undefined;
  /** audit.grant_revoked: client, replay, refresh_refused, operator, admin or user. */
  readonly by?: 'client' | 'replay' | 'refresh_refused' | 'operator' | 'admin' | 'user' | undefined;
  /** audit.admin_request: which call of the admin API (docs/admin-api.md). */
  readonly action?: AdminAction | undefined;
  /** audit.admin_request: how many grants or clients it listed, or grants it revoked. */
  readonly count?: number | undefined;
  /** audit.step_up_challenged: every scope the challenge names. */
  readonly scopes?: readonly string[] | undefined;
  /** audit.origin_refused: the Origin and Host the request sent. */
  readonly origin?: string | undefined;
  readonly host?: string | undefined;
  /** audit.rate_limited: `address` (MAX_REQUESTS per client address). */
  readonly limiter?: 'address' | undefined;
  /** audit.signin_refused, audit.access_denied: the id of the access rule that refused (docs/access-rules.md). */
  readonly rule?: string | undefined;
  /** audit.access_denied: the MCP server (config `servers[].id`) whose rules refused. */
  readonly server?: string | undefined;
  /** audit.access_denied: the JSON-RPC method refused, or the HTTP method when the whole server is. */
  readonly method?: string | undefined;
  /** audit.access_denied: the kind (tools, prompts, resources) and name of what was asked for. */
  readonly kind?: 'tools' | 'prompts' | 'resources' | undefined;
  readonly name?: string | undefined;
  /** Records of the `mcp-auth-proxy` command: the operating-system user who ran it. */
  readonly osUser?: string | undefined;
}

/** Where records go; a sink never throws and never blocks for long. */
export interface AuditSink {
  write(record: AuditRecord): void;
  /** Writes what is still pending, then releases the destination. */
  close(): Promise<void>;
}
