import type {
  McpServer,
  Config,
  McpServerRunConfig,
  McpStdioBridgeConfig,
  RedisNodeAddress,
  RedisTopology,
  StoreConfig,
  TelemetryConfig,
} from './config.ts';
import type { ScopePolicy } from '../oauth/scope-policy.ts';
import { sanitizeUrl } from '../shared/logger.ts';

/** What a secret reads as in a description: whether it is set, never its value. */
const SET = '[set]';

type Description =
  string | number | boolean | null | readonly Description[] | { readonly [key: string]: Description };
export type ConfigDescription = { readonly [key: string]: Description };

/** A URL without user name or password, and without credential-bearing query values. */
function withoutCredentials(url: URL): string {
  const copy = new URL(url.href);
  const hadCredentials = copy.username !== '' || copy.password !== '';
  copy.username = '';
  copy.password = '';
  const shown = sanitizeUrl(copy.href);
  return hadCredentials ? shown.replace('//', `//${SET}@`) : shown;
}

function describeRun(run: McpServerRunConfig | undefined): Description {
  if (run === undefined) return null;
  return {
    command: run.command,
    args: run.args,
    cwd: run.cwd ?? null,
    // The child's variables are often credentials: only their names are shown.
    env: Object.fromEntries(Object.keys(run.env).map((name) => [name, SET])),
    startTimeoutMs: run.startTimeoutMs,
    exitWithChild: run.exitWithChild,
  };
}

function describeStdio(stdio: McpStdioBridgeConfig): Description {
  return {
    command: stdio.command,
    args: stdio.args,
    cwd: stdio.cwd ?? null,
    env: Object.fromEntries(Object.keys(stdio.env).map((name) => [name, SET])),
    tokenEnv: stdio.tokenEnv,
    userIdEnv: stdio.userIdEnv,
    idleTimeoutMs: stdio.idleTimeoutMs,
    maxSessions: stdio.maxSessions,
  };
}

function describeScopePolicy(policy: ScopePolicy): Description {
  return {
    rules: policy.rules.map((rule) => ({
      method: rule.method,
      name: rule.name ?? null,
      scopes: rule.scopes,
    })),
    includes: { ...policy.includes },
  };
}

function describeMcpServer(mcpServer: McpServer): Description {
  const { id, transport, path, resource } = mcpServer;
  // What each server takes from the proxy-wide variables or the servers file; none of it is secret.
  const common = {
    displayName: mcpServer.displayName ?? null,
    scopes: mcpServer.scopes,
    defaultScopes: mcpServer.defaultScopes,
    scopePolicy: describeScopePolicy(mcpServer.scopePolicy),
    rateLimit: { ...mcpServer.rateLimit },
    userIdHeader: mcpServer.userIdHeader,
    // Rule ids only: the rules themselves can name people (email conditions).
    access: (mcpServer.access ?? []).map((rule) => rule.id),
  };
  if (mcpServer.transport === 'stdio') {
    return { id, transport, path, resource, ...common, stdio: describeStdio(mcpServer.stdio) };
  }
  return {
    id,
    transport,
    url: withoutCredentials(mcpServer.url),
    path,
    resource,
    ...common,
    run: describeRun(mcpServer.run),
  };
}

function describeStore(store: StoreConfig): Description {
  if (store.kind === 'sqlite') return { kind: 'sqlite', path: store.path };
  return {
    kind: 'redis',
    ...describeRedisTopology(store.topology),
    keyPrefix: store.keyPrefix,
    tlsRejectUnauthorized: store.tlsRejectUnauthorized,
  };
}

const hostPort = ({ host, port }: RedisNodeAddress): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

function describeRedisTopology(topology: RedisTopology): ConfigDescription {
  if (topology.kind === 'single') {
    return { url: URL.canParse(topology.url) ? withoutCredentials(new URL(topology.url)) : SET };
  }
  const common = {
    username: topology.auth.username ?? null,
    password: topology.auth.password === undefined ? null : SET,
    tls: topology.tls,
    natMap: Object.keys(topology.natMap).length,
  };
  if (topology.kind === 'cluster') {
    return { topology: 'cluster', clusterNodes: topology.nodes.map(hostPort), ...common };
  }
  return {
    topology: 'sentinel',
    sentinels: topology.sentinels.map(hostPort),
    sentinelMaster: topology.masterName,
    sentinelUsername: topology.sentinelAuth.username ?? null,
    sentinelPassword: topology.sentinelAuth.password === undefined ? null : SET,
    ...common,
  };
}

function describeEncryptionKey(source: Config['keys']['encryptionKey']): Description {
  if (source.kind === 'explicit') return SET;
  if (source.kind === 'generated-file') return `generated-file ${source.path}`;
  return source.kind;
}

/**
 * A log-safe summary of the configuration for the start-up log line and
 * `check`: every setting, with secrets reduced to `[set]` (style.md rule 12).
 */
export function describeConfig(config: Config): ConfigDescription {
  const { identity, keys } = config;
  return {
    baseUrl: config.baseUrl,
    port: config.port,
    localInsecure: config.localInsecure,
    nodeEnv: config.nodeEnv ?? null,
    verifyRelease: config.verifyRelease,
    serversFile: config.serversFile ?? null,
    servers: config.servers.map(describeMcpServer),
    accessRules: {
      signIn: config.accessRules.signIn.map((rule) => rule.id),
      identityClaims: { ...config.accessRules.identityClaims },
      file: config.accessRules.file === undefined ? null : config.accessRules.file.path,
    },
    store: describeStore(config.store),
    keys: {
      // Key ids are public (published at /jwks); the key material is not.
      signingKeys:
        keys.signingKeys === undefined
          ? 'generated'
          : keys.signingKeys.map((key) => `${SET} ${key.kty ?? '?'} kid=${key.kid ?? '(none)'}`),
      encryptionKey: describeEncryptionKey(keys.encryptionKey),
    },
    authorizationServer: {
      ...config.authorizationServer,
      scopePolicy: describeScopePolicy(config.authorizationServer.scopePolicy),
    },
    identity: {
      serverUrl: identity.serverUrl === undefined ? null : withoutCredentials(identity.serverUrl),
      metadataFile: identity.metadataFile ?? null,
      clientId: identity.clientId,
      clientSecret: identity.clientSecret === undefined ? null : SET,
      scopes: identity.scopes,
      callbackPath: identity.callbackPath,
      uniqueCallbackPath: identity.uniqueCallbackPath,
      redirectUri: identity.redirectUri,
      timeoutMs: identity.timeoutMs,
    },
    pages: {
      viewsPath: config.pages.viewsPath ?? null,
      brandingTitle: config.pages.brandingTitle,
      brandingFaviconUrl: config.pages.brandingFaviconUrl ?? null,
    },
    proxy: { ...config.proxy },
    rateLimit: { ...config.rateLimit },
    log: { ...config.log },
    metrics:
      config.metrics === undefined
        ? null
        : {
            listener:
              config.metrics.listener === undefined
                ? null
                : `${config.metrics.listener.host}:${config.metrics.listener.port}`,
            publicToken: config.metrics.publicToken === undefined ? null : SET,
          },
    adminApi: config.adminApi === undefined ? null : { token: SET },
    audit: { ...config.audit.destination },
    telemetry: describeTelemetry(config.telemetry),
  };
}

function describeTelemetry(telemetry: TelemetryConfig): Description {
  if (telemetry.tracing === 'off') return { ...telemetry };
  return {
    tracing: 'on',
    exporters: telemetry.exporters.map((exporter) =>
      exporter.kind === 'console'
        ? { kind: 'console' }
        : {
            kind: 'otlp',
            url: URL.canParse(exporter.url) ? withoutCredentials(new URL(exporter.url)) : SET,
            protocol: exporter.protocol,
            // Export headers are usually API keys: only their names are shown.
            headers: Object.fromEntries(Object.keys(exporter.headers).map((name) => [name, SET])),
          },
    ),
    resource: { ...telemetry.resource },
    sampler: { ...telemetry.sampler },
  };
}
