import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  createAdmission,
  type AdmitUnauthenticated,
  type GrantIdentities,
  type GuardedResource,
  type ServerAccessRules,
  type SessionOwners,
  type StepUpPolicy,
  type UpstreamTokenSource,
  type VerifyAccessToken,
} from '../admission/index.ts';
import { protectedResourceMetadataPath } from '../authorization-server/index.ts';
import type {
  McpServer,
  McpServerConfig,
  McpServerRunConfig,
  McpStdioServerConfig,
} from '../config/config.ts';
import type { McpServerProbe } from '../http/health-routes.ts';
import { createLocalFirstRateLimiter } from '../http-kit/local-first-rate-limiter.ts';
import type { RequestContext } from '../http-kit/request-context.ts';
import type { StandaloneStreams } from '../http-kit/standalone-streams.ts';
import { compileScopePolicy } from '../oauth/scope-policy.ts';
import { compileAccessPolicy } from '../policy/index.ts';
import type { Observe } from '../observability/index.ts';
import { createMcpProxy } from '../proxy/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { KeyValueStore } from '../store/index.ts';
import { createSupervisor, type Supervisor } from '../supervisor/index.ts';
import type { Tracing } from '../telemetry/index.ts';
import type { LiveAccessRules } from './live-access-rules.ts';

/** What every server's endpoint shares: the proxy-wide ports and settings. */
export interface McpEndpointDependencies {
  /** BASE_URL, without a trailing slash: the prefix of each server's metadata URL. */
  readonly baseUrl: string;
  readonly maxBodyBytes: number;
  readonly shutdownGraceMs: number;
  /** Shared by every instance: the per-grant rate limits. */
  readonly store: KeyValueStore;
  readonly verifyAccessToken: VerifyAccessToken;
  readonly upstreamTokens: UpstreamTokenSource;
  /** Session → account, for every HTTP server (session ids are the servers' own UUIDs). */
  readonly sessionOwners: SessionOwners;
  /** Told of each step-up challenge, so the authorization server refuses the next refresh; absent = nobody. */
  readonly recordStepUp?: ((grantId: string, serverId: string) => Promise<void>) | undefined;
  /** The access rules as they are now, and each grant's identity (docs/access-rules.md). */
  readonly accessRules?:
    { readonly rules: LiveAccessRules; readonly identities: GrantIdentities } | undefined;
  /** MAX_REQUESTS per address, for MCP requests without a valid access token. */
  readonly admitUnauthenticated?: AdmitUnauthenticated | undefined;
  /** Told of each MCP request, challenge and supervisor change (metrics, audit). */
  readonly observe?: Observe | undefined;
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  /** Called when a server's `exitWithChild` is set and its child exits. */
  readonly onChildExit?: ((exitCode: number) => void) | undefined;
  /** The open GET streams, which shutdown ends first. */
  readonly standaloneStreams: StandaloneStreams;
  /** Absent when tracing is off. */
  readonly tracing?: Tracing | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** One MCP server, mounted at its path. */
export interface McpEndpoint {
  readonly server: McpServer;
  handle(req: IncomingMessage, res: ServerResponse, context: RequestContext): Promise<void>;
  /** The supervised MCP server, when the server has a `run` command. */
  readonly supervisor: Supervisor | undefined;
  /** How /readyz reaches this server. */
  readonly probe: McpServerProbe;
  close(): Promise<void>;
}

/**
 * One server's MCP side: its admission pipeline (src/admission) with its own
 * resource, rate limit and step-up rules, then the streaming proxy in front of
 * its MCP server (supervised when it has a `run` command, started and probed
 * before the proxy listens), or the stdio bridge (src/stdio-bridge/DESIGN.md).
 */
export async function createMcpEndpoint(
  server: McpServer,
  dependencies: McpEndpointDependencies,
): Promise<McpEndpoint> {
  if (server.transport === 'stdio') return await createStdioEndpoint(server, dependencies);
  return await createHttpEndpoint(server, dependencies);
}

async function createHttpEndpoint(
  server: McpServerConfig,
  dependencies: McpEndpointDependencies,
): Promise<McpEndpoint> {
  const { logger, clock, tracing } = dependencies;
  const supervisor =
    server.run === undefined ? undefined : superviseServer(server.run, server.url, dependencies);
  await supervisor?.start();
  const rateLimiter = perGrantRateLimiter(server, dependencies);
  const proxyTracing = tracing?.proxy(server.url);
  const admission = createAdmission({
    ...admissionOptionsOf(server, dependencies),
    rateLimiter,
    sessionOwners: dependencies.sessionOwners,
    isUpstreamAvailable: supervisor === undefined ? undefined : () => supervisor.isRunning(),
    observeBody:
      proxyTracing === undefined ? undefined : (body, headers) => proxyTracing.describeRequest(body, headers),
  });
  const proxy = createMcpProxy({
    mcpServer: server,
    admission,
    upstreamTokens: dependencies.upstreamTokens,
    userIdHeader: server.userIdHeader,
    sessionOwners: dependencies.sessionOwners,
    observe: dependencies.observe,
    standaloneStreams: dependencies.standaloneStreams,
    tracing: proxyTracing,
    logger,
    clock,
  });
  return {
    server,
    handle: (req, res, context) => proxy.handle(req, res, context),
    supervisor,
    probe:
      supervisor === undefined
        ? { kind: 'tcp', url: server.url }
        : { kind: 'supervised', isRunning: () => supervisor.isRunning() },
    close: async () => {
      await proxy.close();
      rateLimiter.close();
      await supervisor?.stop(dependencies.shutdownGraceMs);
    },
  };
}

async function createStdioEndpoint(
  server: McpStdioServerConfig,
  dependencies: McpEndpointDependencies,
): Promise<McpEndpoint> {
  // Loaded only here, so that an http deployment never loads the bridge or the MCP SDK.
  const { createStdioBridge } = await import('../stdio-bridge/index.ts');
  const rateLimiter = perGrantRateLimiter(server, dependencies);
  const bridge = createStdioBridge({
    path: server.path,
    stdio: server.stdio,
    admission: createAdmission({ ...admissionOptionsOf(server, dependencies), rateLimiter }),
    processEnv: dependencies.processEnv,
    maxBodyBytes: dependencies.maxBodyBytes,
    shutdownGraceMs: dependencies.shutdownGraceMs,
    observe: dependencies.observe,
    standaloneStreams: dependencies.standaloneStreams,
    clock: dependencies.clock,
    logger: dependencies.logger,
  });
  return {
    server,
    handle: (req, res, context) => bridge.handle(req, res, context),
    supervisor: undefined,
    probe: { kind: 'per-session' },
    close: async () => {
      await bridge.close();
      rateLimiter.close();
    },
  };
}

/** What the admission of a server takes from the server and the shared dependencies, whatever its transport. */
function admissionOptionsOf(server: McpServer, dependencies: McpEndpointDependencies) {
  return {
    guarded: guardedResourceOf(server, dependencies.baseUrl),
    verifyAccessToken: dependencies.verifyAccessToken,
    upstreamTokens: dependencies.upstreamTokens,
    maxBodyBytes: dependencies.maxBodyBytes,
    admitUnauthenticated: dependencies.admitUnauthenticated,
    stepUp: stepUpOf(server, dependencies.recordStepUp),
    accessRules: accessRulesOf(server, dependencies.accessRules),
    standaloneStreams: dependencies.standaloneStreams,
    observe: dependencies.observe,
    logger: dependencies.logger,
  };
}

/** The server's resource, its metadata URL and its challenge scopes: derived here, once per server. */
export function guardedResourceOf(server: McpServer, baseUrl: string): GuardedResource {
  return {
    server: server.id,
    resource: server.resource,
    resourceMetadataUrl: baseUrl + protectedResourceMetadataPath(server.path),
    // The PRM `scopes_supported`, without offline_access (MCP [26] §10).
    challengeScopes: server.defaultScopes.filter((scope) => scope !== 'offline_access'),
  };
}

/** Step-up from the server's scope rules; undefined without rules, so its request bodies are never parsed. */
function stepUpOf(
  server: McpServer,
  recordChallenge: ((grantId: string, serverId: string) => Promise<void>) | undefined,
): StepUpPolicy | undefined {
  const { scopePolicy } = server;
  if (scopePolicy.rules.length === 0) return undefined;
  return {
    requiredScopes: compileScopePolicy(scopePolicy),
    hierarchy: scopePolicy.includes,
    // The refusal of the refresh that follows is for this server only (step-up-refresh-refusal.ts).
    recordChallenge: recordChallenge && ((grantId) => recordChallenge(grantId, server.id)),
  };
}

/**
 * The server's access rules, read from the live rules at each request so that a change of the rules
 * file applies to the next one. Undefined (the policy step is not built) when the server has no rules
 * and none can appear: no rules file is watched.
 */
function accessRulesOf(
  server: McpServer,
  accessRules: McpEndpointDependencies['accessRules'],
): ServerAccessRules | undefined {
  if (accessRules === undefined) return undefined;
  const { rules, identities } = accessRules;
  const current = () => rules.current.servers.get(server.id);
  if (!rules.changeable && (current()?.empty ?? true)) return undefined;
  const none = compileAccessPolicy([]);
  return { policy: () => current() ?? none, identities };
}

/**
 * Per grant on this server, shared by every instance through the store and counted in memory between
 * syncs (hot path). The MCP_SERVER_* server keeps the keys it always had; others are keyed by their id.
 */
function perGrantRateLimiter(server: McpServer, { store, clock, logger }: McpEndpointDependencies) {
  return createLocalFirstRateLimiter(store, {
    maxRequests: server.rateLimit.maxRequests,
    windowMs: server.rateLimit.windowMs,
    keyPrefix: server.id === 'default' ? 'ratelimit:mcp:' : `ratelimit:mcp:${server.id}:`,
    clock,
    logger,
  });
}

function superviseServer(
  run: McpServerRunConfig,
  probeUrl: URL,
  dependencies: McpEndpointDependencies,
): Supervisor {
  return createSupervisor({
    run,
    baseEnv: dependencies.processEnv,
    probeUrl,
    logger: dependencies.logger,
    clock: dependencies.clock,
    observe: dependencies.observe,
    tracer: dependencies.tracing?.tracer,
    ...(dependencies.onChildExit === undefined ? {} : { onExit: dependencies.onChildExit }),
  });
}
