import type { IncomingMessage } from 'node:http';

/**
 * What happened, told once by the module where it happened, to whoever
 * observes: the Prometheus metrics and the audit trail subscribe
 * (docs/observability.md). A module that emits knows nothing of either; an
 * observer never reaches back into a module. Events carry ids and names,
 * never a token, code or secret.
 *
 * `request` is the HTTP request that carried the action, when there is one:
 * observers read the client's address, user agent and request id from it.
 */
export type ObservedEvent =
  // The sign-in funnel, in the order a user meets it.
  | {
      readonly type: 'client.registered';
      readonly registration: 'dynamic' | 'metadata_document';
      readonly clientId: string;
      readonly clientName: string | undefined;
      readonly request: IncomingMessage | undefined;
    }
  | {
      /** started: an authorization request began its interaction; completed: a code went to the client. */
      readonly type: 'authorization.started' | 'authorization.completed';
      readonly clientId: string;
      readonly request: IncomingMessage | undefined;
    }
  | {
      readonly type: 'confirmation.shown' | 'confirmation.accepted' | 'confirmation.declined';
      readonly clientId: string;
      readonly clientName: string | undefined;
      readonly request: IncomingMessage;
    }
  | {
      readonly type: 'signin.succeeded';
      readonly accountId: string;
      readonly clientId: string;
      readonly clientName: string | undefined;
      readonly grantId: string;
      readonly request: IncomingMessage;
    }
  | {
      readonly type: 'signin.failed';
      /** The OAuth error code the login ended with (access_denied, server_error, temporarily_unavailable...). */
      readonly reason: string;
      readonly clientId: string;
      readonly clientName: string | undefined;
      readonly request: IncomingMessage;
    }
  | {
      /** The IdP signed the user in, and the access rules' `signIn:` refused them: no grant was made. */
      readonly type: 'signin.refused';
      readonly accountId: string;
      /** The id of the rule that refused. */
      readonly rule: string;
      readonly clientId: string;
      readonly clientName: string | undefined;
      readonly request: IncomingMessage;
    }
  | {
      readonly type: 'token.issued';
      /** authorization_code, refresh_token, urn:ietf:params:oauth:grant-type:device_code. */
      readonly grantType: string;
      readonly clientId: string;
      readonly accountId: string | undefined;
      readonly grantId: string | undefined;
      readonly request: IncomingMessage | undefined;
    }
  | {
      readonly type: 'token.reused_within_grace';
      readonly clientId: string | undefined;
      readonly grantId: string | undefined;
    }
  | {
      readonly type: 'token.revoked';
      readonly clientId: string;
      readonly accountId: string | undefined;
      readonly grantId: string | undefined;
      readonly request: IncomingMessage | undefined;
    }
  | {
      readonly type: 'grant.revoked';
      /**
       * client: the client revoked a token at /token/revocation; replay: a reused code or refresh
       * token; refresh_refused: the IdP refused the upstream refresh; operator: `grants revoke`;
       * admin: a call of the admin API; user: the user on the connected-apps page (/account).
       */
      readonly by: 'client' | 'replay' | 'refresh_refused' | 'operator' | 'admin' | 'user';
      readonly grantId: string;
      readonly accountId: string | undefined;
      readonly clientId: string | undefined;
      readonly request: IncomingMessage | undefined;
    }
  // The MCP endpoint.
  | {
      readonly type: 'step_up.challenged';
      readonly grantId: string;
      readonly accountId: string;
      readonly clientId: string;
      /** Every scope the challenge names. */
      readonly scopes: readonly string[];
      /** The id of the MCP server whose rules challenged (config `servers[].id`). */
      readonly server?: string | undefined;
      readonly request: IncomingMessage;
    }
  | {
      readonly type: 'session.foreign_user';
      readonly grantId: string;
      readonly accountId: string;
      readonly clientId: string;
      /** The MCP server whose session it is. */
      readonly server?: string | undefined;
      readonly request: IncomingMessage;
    }
  | {
      /** The access rules refused an MCP request (docs/access-rules.md); it was answered and never forwarded. */
      readonly type: 'access.denied';
      readonly grantId: string;
      readonly accountId: string;
      readonly clientId: string;
      /** The MCP server whose rules refused. */
      readonly server: string;
      /** The id of the rule that decided. */
      readonly rule: string;
      /** denied: a deny rule names it; not-allowed: no allow rule of an allow-list does. */
      readonly reason: 'denied' | 'not-allowed';
      /** The JSON-RPC method refused (`tools/call`, ...), or the HTTP method when the whole server is refused. */
      readonly method: string;
      /** The tool, prompt or resource asked for; undefined when the whole server is refused. */
      readonly item: { readonly kind: 'tools' | 'prompts' | 'resources'; readonly name: string } | undefined;
      readonly request: IncomingMessage;
    }
  | {
      /** An Origin not allowed, or (LOCAL_INSECURE) a Host not served: DNS rebinding protection. */
      readonly type: 'origin.refused';
      readonly origin: string | undefined;
      readonly host: string | undefined;
      readonly request: IncomingMessage;
    }
  | {
      readonly type: 'rate_limit.rejected';
      /** address: MAX_REQUESTS per client address; grant: the per-grant MCP limit. */
      readonly limiter: 'address' | 'grant';
      /** With the grant limiter: the MCP server whose limit it is. */
      readonly server?: string | undefined;
      readonly request: IncomingMessage;
    }
  | {
      readonly type: 'mcp.request';
      /** The MCP server that answered (config `servers[].id`); absent from events built elsewhere. */
      readonly server?: string | undefined;
      /** A low-cardinality label: a known MCP method, `stream`, `session_delete`, `response`, `batch`, `other`. */
      readonly method: string;
      readonly status: number;
      readonly durationSeconds: number;
      /** From sending the request upstream to the first byte of the answer; undefined when not forwarded. */
      readonly upstreamFirstByteSeconds: number | undefined;
    }
  | {
      readonly type: 'mcp.stream_opened' | 'mcp.stream_closed';
    }
  | {
      readonly type: 'upstream.refresh';
      /** refreshed: this call asked the IdP; joined: it waited for a refresh already in flight. */
      readonly outcome: 'refreshed' | 'joined' | 'failed' | 'refused';
    }
  // The admin API (src/admin-api, docs/admin-api.md).
  | {
      /** A call that the admin token authorized; each grant it revokes is also a `grant.revoked` by `admin`. */
      readonly type: 'admin.request';
      readonly action: AdminAction;
      /** What the call named: the user, the client filter, the grant. */
      readonly accountId: string | undefined;
      readonly clientId: string | undefined;
      readonly grantId: string | undefined;
      /** How many grants or clients it listed, or grants it revoked. */
      readonly count: number;
      readonly request: IncomingMessage;
    }
  | {
      /** A call without the admin token (`missing_token`) or with another one (`wrong_token`). */
      readonly type: 'admin.refused';
      readonly reason: 'missing_token' | 'wrong_token';
      readonly request: IncomingMessage;
    }
  // The supervised MCP server.
  | {
      readonly type: 'supervisor.child';
      readonly state: 'running' | 'exited' | 'stopped';
      /** True when this start is a restart after the child exited. */
      readonly restart: boolean;
    };

export type ObservedEventType = ObservedEvent['type'];

/** The admin API's calls, as the audit trail names them (a stable interface, docs/admin-api.md). */
export type AdminAction =
  'list_user_grants' | 'revoke_user_grants' | 'read_grant' | 'revoke_grant' | 'list_clients';

/** The one port every observed module takes: told each event, it must never throw or block. */
export type Observe = (event: ObservedEvent) => void;

/** For modules built without observers (tests, tools). */
export const ignoreEvents: Observe = () => undefined;

/** One port for several observers; each one's failure is its own. */
export function observeAll(observers: readonly Observe[]): Observe {
  if (observers.length === 0) return ignoreEvents;
  if (observers.length === 1) return observers[0] ?? ignoreEvents;
  return (event) => {
    for (const observe of observers) {
      try {
        observe(event);
      } catch {
        // An observer that fails must not fail the request it observes.
      }
    }
  };
}
