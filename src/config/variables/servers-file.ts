import type { AccessRulesFile } from '../access-rules/access-rules-config.ts';
import type { AuthorizationServerConfig, McpServer, ProxyConfig, RateLimitConfig } from '../config.ts';
import type { IdentityClaimNames, SignInRule } from '../../policy/index.ts';
import type { EnvironmentReader } from '../environment-reader.ts';
import { readServersDocument, serversFile } from '../servers-file/index.ts';
import { fileReportFor } from './file-report-for.ts';
import { optionalVariable, type VariableGroup } from '../variable.ts';
import {
  MCP_SERVER_EXIT_WITH_CHILD,
  MCP_SERVER_PATH,
  MCP_SERVER_RUN_ARGS_JSON,
  MCP_SERVER_RUN_COMMAND,
  MCP_SERVER_RUN_DIR,
  MCP_SERVER_RUN_ENV_JSON,
  MCP_SERVER_START_TIMEOUT_MS,
  MCP_SERVER_STDIO_IDLE_TIMEOUT_MS,
  MCP_SERVER_STDIO_MAX_SESSIONS,
  MCP_SERVER_STDIO_TOKEN_ENV,
  MCP_SERVER_STDIO_USER_ENV,
  MCP_SERVER_TRANSPORT,
  MCP_SERVER_URL,
  readMcpServer,
} from './mcp-server.ts';

export const MCP_AUTH_PROXY_SERVERS_FILE = optionalVariable({
  name: 'MCP_AUTH_PROXY_SERVERS_FILE',
  description:
    "A YAML (.yaml, .yml) or JSON (.json) file listing several MCP servers, each at its own path and its own protected resource, behind one sign-in (docs/multi-server.md). It replaces MCP_SERVER_URL, MCP_SERVER_TRANSPORT, MCP_SERVER_PATH and MCP_SERVER_RUN_*; PROVIDER_SCOPE, the step-up rules, the MCP rate limit, the user id header and the MCP server's timeouts and stdio settings are each server's defaults.",
  example: 'servers.yaml',
  heroku: 'new',
  whenUnset: 'one MCP server, set by the MCP_SERVER_* variables',
  parse: serversFile,
});

export const SERVERS_FILE_VARIABLES: VariableGroup = {
  title: 'Several MCP servers',
  variables: [MCP_AUTH_PROXY_SERVERS_FILE],
};

/** The variables of the one MCP_SERVER_* server, which the servers file replaces. */
const SINGLE_SERVER = [
  MCP_SERVER_URL,
  MCP_SERVER_TRANSPORT,
  MCP_SERVER_PATH,
  MCP_SERVER_RUN_COMMAND,
  MCP_SERVER_RUN_ARGS_JSON,
  MCP_SERVER_RUN_DIR,
  MCP_SERVER_RUN_ENV_JSON,
];

/** The proxy-wide sections every server takes its defaults from. */
export interface ServerSections {
  readonly authorizationServer: AuthorizationServerConfig;
  readonly rateLimit: RateLimitConfig;
  readonly proxy: ProxyConfig;
}

export interface ServersRead {
  /** Undefined when something is wrong (a problem is recorded). */
  readonly servers: readonly [McpServer, ...McpServer[]] | undefined;
  /** The servers file's absolute path; undefined for the one MCP_SERVER_* server. */
  readonly serversFile: string | undefined;
  /** The servers file's top-level access rules, and the file to re-read them from; undefined without one. */
  readonly rules:
    | {
        readonly signIn: readonly SignInRule[];
        readonly identityClaims: IdentityClaimNames;
        readonly file: AccessRulesFile;
      }
    | undefined;
}

/**
 * The MCP servers: those of MCP_AUTH_PROXY_SERVERS_FILE, or else the one of
 * the MCP_SERVER_* variables (id `default`). Both take their scopes, step-up
 * policy, rate limit and user id header from the proxy-wide variables unless
 * the file says otherwise.
 */
export function readServers(
  reader: EnvironmentReader,
  baseUrl: string | undefined,
  sections: ServerSections,
): ServersRead {
  const { authorizationServer, rateLimit, proxy } = sections;
  const common = {
    scopes: authorizationServer.scopes,
    defaultScopes: authorizationServer.defaultScopes,
    scopePolicy: authorizationServer.scopePolicy,
    rateLimit: { maxRequests: rateLimit.mcpMaxRequests, windowMs: rateLimit.mcpWindowMs },
    userIdHeader: proxy.userIdHeader,
  };
  if (!reader.isSet(MCP_AUTH_PROXY_SERVERS_FILE)) {
    const server = readMcpServer(reader, baseUrl, { id: 'default', displayName: undefined, ...common });
    return { servers: server === undefined ? undefined : [server], serversFile: undefined, rules: undefined };
  }
  for (const variable of SINGLE_SERVER.filter((variable) => reader.isSet(variable))) {
    reader.problem(
      variable,
      `${variable.name} is set together with ${MCP_AUTH_PROXY_SERVERS_FILE.name}: set either the MCP_SERVER_* variables of one MCP server or a servers file for several (list this server in the file), not both`,
    );
  }
  const defaults = {
    ...common,
    run: {
      startTimeoutMs: reader.value(MCP_SERVER_START_TIMEOUT_MS),
      exitWithChild: reader.value(MCP_SERVER_EXIT_WITH_CHILD),
    },
    stdio: {
      tokenEnv: reader.value(MCP_SERVER_STDIO_TOKEN_ENV),
      userIdEnv: reader.value(MCP_SERVER_STDIO_USER_ENV),
      idleTimeoutMs: reader.value(MCP_SERVER_STDIO_IDLE_TIMEOUT_MS),
      maxSessions: reader.value(MCP_SERVER_STDIO_MAX_SESSIONS),
    },
  };
  const document = reader.maybe(MCP_AUTH_PROXY_SERVERS_FILE);
  if (document === undefined) return { servers: undefined, serversFile: undefined, rules: undefined };
  const report = fileReportFor(reader, MCP_AUTH_PROXY_SERVERS_FILE, document.label);
  const read = readServersDocument(document, baseUrl, defaults, report);
  const file = {
    kind: 'servers',
    path: document.path,
    label: document.label,
    cwd: reader.context.cwd,
  } as const;
  return {
    servers: read?.servers,
    serversFile: document.path,
    rules:
      read === undefined ? undefined : { signIn: read.signIn, identityClaims: read.identityClaims, file },
  };
}

/** PROVIDER_SCOPE first, then every scope a server adds, once each: all the scopes the authorization server knows. */
export function allScopes(
  providerScopes: readonly string[],
  servers: readonly McpServer[],
): readonly string[] {
  return [...new Set([...providerScopes, ...servers.flatMap((server) => server.scopes)])];
}
