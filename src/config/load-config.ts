import { resolve } from 'node:path';
import type { ConfigResult } from './config-result.ts';
import { createEnvironmentReader, type Environment } from './environment-reader.ts';
import { unknownVariableWarnings } from './unknown-variables.ts';
import {
  readAccessRulesConfig,
  readAdminApi,
  readAudit,
  readAuthorizationServer,
  readIdentity,
  readKeys,
  readLog,
  readMetrics,
  readPages,
  readProxy,
  readRateLimit,
  readServer,
  readServers,
  allScopes,
  readStore,
  readTelemetry,
  VARIABLES,
} from './variables/index.ts';

export interface LoadConfigOptions {
  /** The directory relative paths (SQLite file, run dir, metadata file) are resolved against. */
  readonly cwd: string;
}

/**
 * Reads and validates every variable, then either returns the whole Config or
 * every problem at once, each naming its variable (style.md rule 10). Pure
 * apart from reading the files the variables name; never touches process.env.
 */
export function loadConfig(env: Environment, options: LoadConfigOptions): ConfigResult {
  const reader = createEnvironmentReader(env, { cwd: resolve(options.cwd) });

  const server = readServer(reader);
  const store = readStore(reader);
  const keys = readKeys(reader, store);
  const authorizationServer = readAuthorizationServer(reader, server.localInsecure);
  const identity = readIdentity(reader, server.baseUrl);
  const pages = readPages(reader);
  const proxy = readProxy(reader);
  const rateLimit = readRateLimit(reader);
  const serversRead = readServers(reader, server.baseUrl, { authorizationServer, rateLimit, proxy });
  const { accessRules, servers } = readAccessRulesConfig(reader, serversRead);
  const { serversFile } = serversRead;
  const log = readLog(reader, server.nodeEnv);
  const audit = readAudit(reader);
  const telemetry = readTelemetry(reader);
  const metrics = readMetrics(reader, server.port);
  const adminApi = readAdminApi(reader, metrics?.publicToken);

  if (reader.problems.length > 0) return { ok: false, problems: [...reader.problems] };
  if (
    server.baseUrl === undefined ||
    servers === undefined ||
    store.config === undefined ||
    keys === undefined ||
    identity === undefined
  ) {
    throw new Error('configuration incomplete although no problem was recorded (a bug in src/config)');
  }
  const warnings = [
    ...reader.warnings,
    ...unknownVariableWarnings(
      env,
      VARIABLES.map((variable) => variable.name),
    ),
  ];
  return {
    ok: true,
    warnings,
    config: {
      baseUrl: server.baseUrl,
      port: server.port,
      localInsecure: server.localInsecure,
      nodeEnv: server.nodeEnv,
      servers,
      serversFile,
      accessRules,
      store: store.config,
      keys,
      authorizationServer: { ...authorizationServer, scopes: allScopes(authorizationServer.scopes, servers) },
      identity,
      pages,
      proxy,
      rateLimit,
      log,
      audit,
      telemetry,
      metrics,
      adminApi,
      verifyRelease: server.verifyRelease,
    },
  };
}
