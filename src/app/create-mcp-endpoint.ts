import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/config.ts';
import type { KeyValueStore } from '../store/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { createLocalFirstRateLimiter } from '../http-kit/local-first-rate-limiter.ts';
import type { StandaloneStreams } from '../http-kit/standalone-streams.ts';
import {
  type AdmitUnauthenticated,
  createMcpProxy,
  createSessionBinding,
  type StepUpPolicy,
  type UpstreamTokenSource,
  type VerifyAccessToken,
} from '../proxy/index.ts';
import { createSupervisor, type Supervisor } from '../supervisor/index.ts';
import type { Observe } from '../observability/index.ts';
import type { Tracing } from '../telemetry/index.ts';

export interface McpEndpointOptions {
  config: Config;
  store: KeyValueStore;
  verifyAccessToken: VerifyAccessToken;
  upstreamTokens: UpstreamTokenSource;
  /** Step-up (MCP_AUTH_PROXY_SCOPE_RULES); undefined without rules, so request bodies are never parsed. */
  stepUp?: StepUpPolicy | undefined;
  /** MAX_REQUESTS per address, for MCP requests without a valid access token. */
  admitUnauthenticated?: AdmitUnauthenticated | undefined;
  /** Told of each MCP request, challenge and supervisor change (metrics, audit). */
  observe?: Observe | undefined;
  processEnv: Readonly<Record<string, string | undefined>>;
  /** Called when MCP_SERVER_EXIT_WITH_CHILD=true and the child exits. */
  onChildExit?: ((exitCode: number) => void) | undefined;
  /** The open GET streams, which shutdown ends first. */
  standaloneStreams: StandaloneStreams;
  /** Absent when tracing is off. */
  tracing?: Tracing | undefined;
  clock: Clock;
  logger: Logger;
}

export interface McpEndpoint {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** The supervised MCP server, when MCP_SERVER_RUN_COMMAND is set. */
  readonly supervisor: Supervisor | undefined;
  close(): Promise<void>;
}

/**
 * The MCP side: the supervised MCP server (when configured, started and
 * probed before the proxy listens), the per-grant rate limit, and the
 * authenticated streaming proxy in front of it. With MCP_SERVER_TRANSPORT=stdio,
 * the stdio bridge instead (src/stdio-bridge/DESIGN.md).
 */
export async function createMcpEndpoint(options: McpEndpointOptions): Promise<McpEndpoint> {
  const { config, logger } = options;
  const rateLimiter = mcpRateLimiter(options);
  if (config.servers[0].transport === 'stdio') {
    // Loaded only here, so that an http deployment never loads the bridge or the MCP SDK.
    const { createStdioBridge } = await import('../stdio-bridge/index.ts');
    const bridge = createStdioBridge({
      path: config.servers[0].path,
      stdio: config.servers[0].stdio,
      baseUrl: config.baseUrl,
      processEnv: options.processEnv,
      maxBodyBytes: config.proxy.maxBodyBytes,
      shutdownGraceMs: config.proxy.shutdownGraceMs,
      verifyAccessToken: options.verifyAccessToken,
      upstreamTokens: options.upstreamTokens,
      rateLimiter,
      admitUnauthenticated: options.admitUnauthenticated,
      observe: options.observe,
      scopesSupported: challengeScopes(config),
      stepUp: options.stepUp,
      standaloneStreams: options.standaloneStreams,
      clock: options.clock,
      logger,
    });
    return {
      handle: (req, res) => bridge.handle(req, res),
      supervisor: undefined,
      close: async () => {
        await bridge.close();
        rateLimiter.close();
      },
    };
  }
  const run = config.servers[0].run;
  const supervisor =
    run === undefined
      ? undefined
      : createSupervisor({
          run,
          baseEnv: options.processEnv,
          probeUrl: config.servers[0].url,
          logger,
          clock: options.clock,
          observe: options.observe,
          tracer: options.tracing?.tracer,
          ...(options.onChildExit === undefined ? {} : { onExit: options.onChildExit }),
        });
  await supervisor?.start();

  const proxy = createMcpProxy({
    mcpServer: config.servers[0],
    baseUrl: config.baseUrl,
    maxBodyBytes: config.proxy.maxBodyBytes,
    userIdHeader: config.proxy.userIdHeader,
    verifyAccessToken: options.verifyAccessToken,
    upstreamTokens: options.upstreamTokens,
    rateLimiter,
    admitUnauthenticated: options.admitUnauthenticated,
    observe: options.observe,
    ...(supervisor === undefined ? {} : { isUpstreamAvailable: () => supervisor.isRunning() }),
    sessionOwners: createSessionBinding(options.store),
    scopesSupported: challengeScopes(config),
    stepUp: options.stepUp,
    standaloneStreams: options.standaloneStreams,
    tracing: options.tracing?.proxy(config.servers[0].url),
    logger,
    clock: options.clock,
  });

  return {
    handle: (req, res) => proxy.handle(req, res),
    supervisor,
    close: async () => {
      await proxy.close();
      rateLimiter.close();
      await supervisor?.stop(config.proxy.shutdownGraceMs);
    },
  };
}

/** Per grant, shared by every instance through the store; counted in memory between syncs (hot path). */
function mcpRateLimiter({ config, store, clock, logger }: McpEndpointOptions) {
  return createLocalFirstRateLimiter(store, {
    maxRequests: config.rateLimit.mcpMaxRequests,
    windowMs: config.rateLimit.mcpWindowMs,
    keyPrefix: 'ratelimit:mcp:',
    clock,
    logger,
  });
}

/** The scopes a 401 challenge names: the PRM `scopes_supported`, without offline_access (MCP [26] §10). */
const challengeScopes = (config: Config): string[] =>
  config.authorizationServer.defaultScopes.filter((scope) => scope !== 'offline_access');
