import type { JWK } from 'jose';
import type { ScopePolicy } from '../oauth/scope-policy.ts';
import type { AccessRule } from '../policy/index.ts';
import type { AccessRulesConfig } from './access-rules/access-rules-config.ts';

/**
 * The validated configuration. Built only by config/load-config.ts from the
 * environment; every other module receives it (or a slice of it) as typed
 * values and never reads process.env.
 */
export interface Config {
  /** BASE_URL without a trailing slash: the issuer and the prefix of every public URL. */
  readonly baseUrl: string;
  readonly port: number;
  /** LOCAL_INSECURE=true: plain http allowed, forwarded headers not trusted, cookies not Secure. */
  readonly localInsecure: boolean;
  readonly nodeEnv: string | undefined;

  /**
   * The MCP servers behind the proxy, each its own protected resource. Without
   * MCP_AUTH_PROXY_SERVERS_FILE this is the one server of the MCP_SERVER_* variables,
   * so one proxy and many run the same code. Never empty; the first is the default
   * resource for clients that name none (RFC 8707 §2).
   */
  readonly servers: readonly [McpServer, ...McpServer[]];
  /** MCP_AUTH_PROXY_SERVERS_FILE, absolute: where `servers` came from; undefined for the one MCP_SERVER_* server. */
  readonly serversFile: string | undefined;
  /** Who may sign in, and where the rules come from (docs/access-rules.md); each server's own are its `access`. */
  readonly accessRules: AccessRulesConfig;
  readonly store: StoreConfig;
  readonly keys: KeyConfig;
  readonly authorizationServer: AuthorizationServerConfig;
  readonly identity: IdentityConfig;
  readonly pages: PagesConfig;
  readonly proxy: ProxyConfig;
  readonly rateLimit: RateLimitConfig;
  readonly log: LogConfig;
  readonly audit: AuditConfig;
  /** OTEL_*: OpenTelemetry traces (docs/observability.md). */
  readonly telemetry: TelemetryConfig;
  /** Prometheus metrics; undefined when neither MCP_AUTH_PROXY_METRICS_PORT nor _TOKEN is set (off). */
  readonly metrics: MetricsConfig | undefined;
  /** The admin HTTP API (docs/admin-api.md); undefined when MCP_AUTH_PROXY_ADMIN_TOKEN is unset (off). */
  readonly adminApi: AdminApiConfig | undefined;
  /** MCP_AUTH_PROXY_VERIFY_RELEASE=true: start, check dependencies, exit (release phase). */
  readonly verifyRelease: boolean;
}

/** One MCP server behind the proxy: an HTTP upstream (perhaps supervised) or a stdio command bridged per session. */
export type McpServer = McpServerConfig | McpStdioServerConfig;

/** What every MCP server has, whatever its transport. */
export interface McpServerCommon {
  /** A short name for logs, metrics and /readyz: `default` for the MCP_SERVER_* server, else its key in the servers file. */
  readonly id: string;
  /** Named on the confirmation page; undefined = not named. */
  readonly displayName: string | undefined;
  /** The public mount path (e.g. `/mcp`). */
  readonly path: string;
  /** The protected resource identifier: baseUrl + path (RFC 8707, RFC 9728 `resource`), the audience of its tokens. */
  readonly resource: string;
  /** The scopes a token for this server may carry (default PROVIDER_SCOPE). */
  readonly scopes: readonly string[];
  /** `scopes` without those only step-up grants: what a client that names none gets, and what PRM and challenges advertise. */
  readonly defaultScopes: readonly string[];
  /** Step-up: which operations need which scopes (default MCP_AUTH_PROXY_SCOPE_RULES / _INCLUDES). */
  readonly scopePolicy: ScopePolicy;
  /** Per grant on this server (default MCP_AUTH_PROXY_MCP_MAX_REQUESTS per MCP_AUTH_PROXY_MCP_WINDOW_MS). */
  readonly rateLimit: { readonly maxRequests: number; readonly windowMs: number };
  /** The header that carries the user's account id upstream (default MCP_AUTH_PROXY_USER_ID_HEADER). */
  readonly userIdHeader: string;
  /** Its access rules as the configuration was loaded (`access:`); absent: none (docs/access-rules.md). */
  readonly access?: readonly AccessRule[];
}

/** MCP_SERVER_TRANSPORT=http (the default): the MCP server speaks Streamable HTTP at `url`. */
export interface McpServerConfig extends McpServerCommon {
  readonly transport: 'http';
  /** MCP_SERVER_URL: where the MCP server listens (its query is kept when forwarding). */
  readonly url: URL;
  /** Present when MCP_SERVER_RUN_COMMAND is set: the supervisor starts the server. */
  readonly run: McpServerRunConfig | undefined;
}

export interface McpServerRunConfig {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string | undefined;
  /** MCP_SERVER_RUN_ENV_JSON, merged over the proxy's own environment for the child. */
  readonly env: Readonly<Record<string, string>>;
  /** MCP_SERVER_START_TIMEOUT_MS: how long to wait for the server's port. */
  readonly startTimeoutMs: number;
  /** MCP_SERVER_EXIT_WITH_CHILD=true: exit with the child's status instead of restarting it. */
  readonly exitWithChild: boolean;
}

/**
 * MCP_SERVER_TRANSPORT=stdio: the proxy serves the MCP endpoint itself and
 * runs one MCP server process per MCP session, speaking stdio to it.
 */
export interface McpStdioServerConfig extends McpServerCommon {
  readonly transport: 'stdio';
  readonly stdio: McpStdioBridgeConfig;
}

export interface McpStdioBridgeConfig {
  /** MCP_SERVER_RUN_COMMAND, run without a shell once per session. */
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string | undefined;
  /** MCP_SERVER_RUN_ENV_JSON, laid over a minimal environment (never the proxy's own). */
  readonly env: Readonly<Record<string, string>>;
  /** MCP_SERVER_STDIO_TOKEN_ENV: the child's variable that holds the user's IdP access token. */
  readonly tokenEnv: string;
  /** MCP_SERVER_STDIO_USER_ENV: the child's variable that holds the user's account id. */
  readonly userIdEnv: string;
  /** MCP_SERVER_STDIO_IDLE_TIMEOUT_MS: a session without requests for this long ends. */
  readonly idleTimeoutMs: number;
  /** MCP_SERVER_STDIO_MAX_SESSIONS: concurrent sessions (children); more get 503. */
  readonly maxSessions: number;
}

export type StoreConfig =
  | { readonly kind: 'sqlite'; readonly path: string }
  | {
      readonly kind: 'redis';
      readonly topology: RedisTopology;
      /** MCP_AUTH_PROXY_REDIS_PREFIX (default `oidc:`). */
      readonly keyPrefix: string;
      /** MCP_AUTH_PROXY_REDIS_TLS_REJECT_UNAUTHORIZED: Heroku Key-Value Store uses self-signed certificates. */
      readonly tlsRejectUnauthorized: boolean;
    };

/** One Redis (MCP_AUTH_PROXY_REDIS_URL), a Sentinel-managed primary, or a Redis Cluster. */
export type RedisTopology =
  | { readonly kind: 'single'; readonly url: string }
  | {
      readonly kind: 'sentinel';
      /** MCP_AUTH_PROXY_REDIS_SENTINELS */
      readonly sentinels: readonly RedisNodeAddress[];
      /** MCP_AUTH_PROXY_REDIS_SENTINEL_MASTER */
      readonly masterName: string;
      /** MCP_AUTH_PROXY_REDIS_SENTINEL_USERNAME / _PASSWORD: the sentinels' own credentials. */
      readonly sentinelAuth: RedisAuth;
      readonly auth: RedisAuth;
      readonly tls: boolean;
      readonly natMap: RedisNatMap;
    }
  | {
      readonly kind: 'cluster';
      /** MCP_AUTH_PROXY_REDIS_CLUSTER_NODES: seed nodes; the rest is discovered. */
      readonly nodes: readonly RedisNodeAddress[];
      readonly auth: RedisAuth;
      readonly tls: boolean;
      readonly natMap: RedisNatMap;
    };

export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/** MCP_AUTH_PROXY_REDIS_USERNAME / MCP_AUTH_PROXY_REDIS_PASSWORD (Redis 6 ACL user, or `requirepass`). */
export interface RedisAuth {
  readonly username: string | undefined;
  readonly password: string | undefined;
}

/** MCP_AUTH_PROXY_REDIS_NAT_MAP: announced `host:port` -> where this proxy reaches that node. */
export type RedisNatMap = Readonly<Record<string, RedisNodeAddress>>;

export interface KeyConfig {
  /** OIDC_PROVIDER_JWKS: private signing keys. Absent: generated once and kept in the store. */
  readonly signingKeys: readonly JWK[] | undefined;
  /**
   * Where the AES-256-GCM key that seals upstream tokens and signs cookies comes from:
   * MCP_AUTH_PROXY_ENCRYPTION_KEY, else derived from OIDC_PROVIDER_JWKS, else a file
   * generated beside the embedded store (SQLite only).
   */
  readonly encryptionKey:
    | { readonly kind: 'explicit'; readonly key: Buffer }
    | { readonly kind: 'derived-from-signing-keys' }
    | { readonly kind: 'generated-file'; readonly path: string };
}

export interface AuthorizationServerConfig {
  /** PROVIDER_SCOPE (default `openid offline_access`), and every scope a server of the servers file adds: all the scopes the authorization server knows. */
  readonly scopes: readonly string[];
  /**
   * PROVIDER_SCOPE without the scopes only step-up grants: the default of each
   * server's `defaultScopes`. All of PROVIDER_SCOPE when there are no scope rules.
   */
  readonly defaultScopes: readonly string[];
  /** MCP_AUTH_PROXY_SCOPE_RULES and MCP_AUTH_PROXY_SCOPE_INCLUDES: the default of each server's step-up policy (no rules: none). */
  readonly scopePolicy: ScopePolicy;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  /** Seconds a rotated refresh token is still accepted, for clients that refresh twice. */
  readonly refreshTokenReuseGraceSeconds: number;
  /**
   * MCP_AUTH_PROXY_REFRESH_TOKEN_REUSE_DETECTION_SECONDS: how long a consumed refresh token is kept
   * (at least the grace), so that its reuse revokes the grant; after that it is gone.
   */
  readonly refreshTokenReuseDetectionSeconds: number;
  /** MCP_AUTH_PROXY_CIMD_ALLOW_PRIVATE_ADDRESSES (default: LOCAL_INSECURE): fetch client ID metadata documents from private addresses. */
  readonly cimdAllowPrivateAddresses: boolean;
}

export interface IdentityConfig {
  /** IDENTITY_SERVER_URL: the IdP issuer, used for discovery, display and branding. */
  readonly serverUrl: URL | undefined;
  /** IDENTITY_SERVER_METADATA_FILE: static metadata, skips discovery. */
  readonly metadataFile: string | undefined;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  /** IDENTITY_SCOPE (default `openid profile email`). */
  readonly scopes: readonly string[];
  /** IDENTITY_CALLBACK_PATH (default `/interaction/identity/callback`): registered at the IdP. */
  readonly callbackPath: string;
  /** IDENTITY_UNIQUE_CALLBACK_PATH (default `/interaction/:uid/identity/callback`). */
  readonly uniqueCallbackPath: string;
  /** baseUrl + callbackPath: the exact redirect_uri sent to the IdP. */
  readonly redirectUri: string;
  /** IDENTITY_TIMEOUT_MS: the limit for each call to the IdP. */
  readonly timeoutMs: number;
}

export interface PagesConfig {
  /** OIDC_PROVIDER_VIEWS_PATH: an absolute directory of EJS templates that replaces ours. */
  readonly viewsPath: string | undefined;
  readonly brandingTitle: string;
  readonly brandingFaviconUrl: string | undefined;
}

export interface ProxyConfig {
  /** MCP_AUTH_PROXY_MAX_BODY_BYTES (default 4 MiB). */
  readonly maxBodyBytes: number;
  /** MCP_AUTH_PROXY_USER_ID_HEADER: the header that carries the user's account id upstream. */
  readonly userIdHeader: string;
  /** MCP_AUTH_PROXY_ALLOWED_ORIGINS: browser origins allowed on the MCP endpoint, besides BASE_URL's. */
  readonly allowedOrigins: readonly string[];
  /** MCP_AUTH_PROXY_SHUTDOWN_GRACE_MS. */
  readonly shutdownGraceMs: number;
}

export interface RateLimitConfig {
  /** MAX_REQUESTS per MAX_REQUESTS_WINDOW per client address (and client, where named), on every route. */
  readonly authMaxRequests: number;
  readonly authWindowMs: number;
  /** MCP_AUTH_PROXY_MCP_MAX_REQUESTS per MCP_AUTH_PROXY_MCP_WINDOW_MS on the MCP endpoint, per grant. */
  readonly mcpMaxRequests: number;
  readonly mcpWindowMs: number;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface LogConfig {
  readonly level: LogLevel;
  /** APP_NAME (default `mcp-auth-proxy`). */
  readonly appName: string;
  /** ENVIRONMENT, else NODE_ENV, else `development`. */
  readonly environment: string;
}

/** MCP_AUTH_PROXY_AUDIT_LOG: where the audit trail (src/audit) is written. */
export type AuditDestination =
  { readonly kind: 'stdout' } | { readonly kind: 'off' } | { readonly kind: 'file'; readonly path: string };

export interface AuditConfig {
  readonly destination: AuditDestination;
}
/** OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none: no span is made and the SDK is never loaded. */
export interface TracingOff {
  readonly tracing: 'off';
  /** The variable that turned tracing off. */
  readonly reason: 'OTEL_SDK_DISABLED' | 'OTEL_TRACES_EXPORTER';
}

export interface TracingOn {
  readonly tracing: 'on';
  /** OTEL_TRACES_EXPORTER: at least one. */
  readonly exporters: readonly TraceExporterConfig[];
  /** OTEL_RESOURCE_ATTRIBUTES, with OTEL_SERVICE_NAME as `service.name` when set. */
  readonly resource: Readonly<Record<string, string>>;
  /** OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG (the ratio of the traceidratio samplers). */
  readonly sampler: { readonly name: SamplerName; readonly ratio: number };
}

export type TelemetryConfig = TracingOff | TracingOn;

export type OtlpProtocol = 'http/protobuf' | 'http/json';

export type TraceExporterConfig =
  | {
      readonly kind: 'otlp';
      /** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces. */
      readonly url: string;
      readonly protocol: OtlpProtocol;
      /** OTEL_EXPORTER_OTLP_HEADERS with OTEL_EXPORTER_OTLP_TRACES_HEADERS over them: often credentials. */
      readonly headers: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'console' };

export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';
export interface MetricsConfig {
  /** MCP_AUTH_PROXY_METRICS_PORT on MCP_AUTH_PROXY_METRICS_HOST: GET /metrics without credentials. */
  readonly listener: { readonly host: string; readonly port: number } | undefined;
  /** MCP_AUTH_PROXY_METRICS_TOKEN: GET /metrics on the public port with this bearer token. */
  readonly publicToken: string | undefined;
}

export interface AdminApiConfig {
  /** MCP_AUTH_PROXY_ADMIN_TOKEN: the bearer token every admin call must carry. */
  readonly token: string;
}
