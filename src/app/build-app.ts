import type { IncomingMessage } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { Config } from '../config/config.ts';
import type { Clock } from '../shared/clock.ts';
import { systemClock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { deriveKey } from '../shared/crypto.ts';
import {
  createOidcAdapterFactory,
  openInvalidationBus,
  openStore,
  type KeyValueStore,
} from '../store/index.ts';
import { createAccessCache } from '../access-cache/index.ts';
import { resolveEncryptionKey, resolveSigningKeys } from '../keys/index.ts';
import {
  CLIENT_FORM_PATHS,
  buildProtectedResourceMetadata,
  createAuthorizationServer,
  createPendingStepUps,
  protectedResourceMetadataPath,
  type AuthorizationServer,
} from '../authorization-server/index.ts';
import { ConfirmedClients, createInteractionRoutes } from '../interaction/index.ts';
import { UpstreamTokenVault } from '../upstream-token-vault/index.ts';
import { createPageRenderer, deviceCodeTitle, pageSecurityHeaders, resolveBranding } from '../views/index.ts';
import { createRequestHandler } from '../http/create-request-handler.ts';
import { createHealthRoutes, serveHealthRoutesFirst, type McpServerProbe } from '../http/health-routes.ts';
import { createRateLimiter } from '../http/rate-limiter.ts';
import { createAddressRateLimit } from '../http/address-rate-limit.ts';
import { createStandaloneStreams } from '../http/standalone-streams.ts';
import { createAdminApi } from '../admin-api/index.ts';
import { observeAll, type Observe } from '../observability/index.ts';
import { openAuditTrail, storedClientName } from '../audit/index.ts';
import { openMetrics } from '../metrics/index.ts';
import type { OAuthError } from '../oauth/oauth-error.ts';
import { compileScopePolicy } from '../oauth/scope-policy.ts';
import type { StepUpPolicy } from '../proxy/index.ts';
import { createUpstreamLogin } from './create-upstream-login.ts';
import { createMcpEndpoint } from './create-mcp-endpoint.ts';
import type { Supervisor } from '../supervisor/index.ts';
import { startTracing } from '../telemetry/index.ts';

export interface AppDependencies {
  logger: Logger;
  clock?: Clock;
  /** The proxy's own environment, passed to a supervised MCP server (never read here). */
  processEnv?: Readonly<Record<string, string | undefined>>;
  /** With MCP_SERVER_EXIT_WITH_CHILD=true: the MCP server exited with this code. */
  onChildExit?: (exitCode: number) => void;
  /** Observers besides those the configuration asks for (tests record the events they prove). */
  observers?: readonly Observe[];
}

/** Everything the proxy is, built and ready to serve, but not yet listening. */
export interface BuiltApp {
  /** The request listener: health routes, metrics, then the route table. */
  readonly serve: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  readonly store: KeyValueStore;
  readonly authorizationServer: AuthorizationServer;
  readonly supervisor: Supervisor | undefined;
  /** Starts the separate metrics listener, when configured; resolves with its URL. */
  readonly listenForMetrics: () => Promise<string | undefined>;
  /** Ends the standalone SSE streams and refuses new ones (the first step of a shutdown). */
  readonly endStandaloneStreams: () => void;
  /** Stops everything behind the HTTP server, in order. */
  readonly stop: () => Promise<void>;
}

/**
 * The composition root: Config -> store -> keys -> authorization server and
 * login bridge -> MCP proxy -> request listener. Everything is built from the
 * validated Config; nothing below reads the environment. Listening is
 * start-app.ts's job, so that this reads as a list.
 */
export async function buildApp(config: Config, dependencies: AppDependencies): Promise<BuiltApp> {
  const { logger } = dependencies;
  const clock = dependencies.clock ?? systemClock;

  const tracing = await startTracing(config.telemetry, { logger, trustForwarded: !config.localInsecure });
  // Prometheus metrics (prom-client loaded only then): an observer, a measured store, GET /metrics.
  const metrics =
    config.metrics === undefined
      ? undefined
      : await openMetrics({
          config: config.metrics,
          supervised: config.servers[0].transport === 'http' && config.servers[0].run !== undefined,
          trustForwarded: !config.localInsecure,
          logger,
        });
  const openedStore = await openStore(config.store, { clock, logger });
  const measuredStore = metrics === undefined ? openedStore : metrics.measureStore(openedStore);
  const store = tracing?.traceStore(measuredStore) ?? measuredStore;
  await store.ping();
  // MCP_AUTH_PROXY_AUDIT_LOG: one record per security-relevant action (src/audit).
  const audit = await openAuditTrail({
    destination: config.audit.destination,
    source: 'proxy',
    logger,
    app: config.log.appName,
    environment: config.log.environment,
    trustForwarded: !config.localInsecure,
    findClientName: storedClientName(store),
    clock,
  });
  // Every observed event (src/observability/events.ts) reaches each observer.
  const observe = observeAll([
    ...(metrics === undefined ? [] : [metrics.observe]),
    ...(audit === undefined ? [] : [audit.observe]),
    ...(dependencies.observers ?? []),
  ]);
  // Token checks on the hot path are served from memory; revocations reach every instance over the bus.
  const invalidationBus = await openInvalidationBus(config.store, { store, clock, logger });
  const accessCache = createAccessCache({ bus: invalidationBus, clock, logger });
  const encryptionKey = await resolveEncryptionKey(config.keys);
  const signingKeys = await resolveSigningKeys(config.keys.signingKeys, store, encryptionKey);

  const branding = resolveBranding({
    brandingTitle: config.pages.brandingTitle,
    brandingFaviconUrl: config.pages.brandingFaviconUrl,
    identityServerUrl: config.identity.serverUrl,
  });
  const renderer = createPageRenderer({ viewsPath: config.pages.viewsPath, branding });
  const pageHeaders = pageSecurityHeaders({ faviconOrigin: branding.faviconOrigin });
  const renderErrorPage = (error: string, description: string | undefined, requestId: string | undefined) =>
    renderer.render('error', { error, errorDescription: description, requestId });

  // Step-up (MCP_AUTH_PROXY_SCOPE_RULES): the MCP endpoint challenges, and the authorization server
  // refuses the refresh that SDK 1.x clients try next (step-up-refresh-refusal.ts).
  const { scopePolicy } = config.authorizationServer;
  const pendingStepUps = scopePolicy.rules.length > 0 ? createPendingStepUps(store) : undefined;
  const stepUp: StepUpPolicy | undefined = pendingStepUps && {
    requiredScopes: compileScopePolicy(scopePolicy),
    hierarchy: scopePolicy.includes,
    recordChallenge: pendingStepUps.record,
  };
  const authorizationServer = createAuthorizationServer({
    issuer: config.baseUrl,
    resource: config.servers[0].resource,
    settings: config.authorizationServer,
    signingKeys,
    cookieKeys: [deriveKey(encryptionKey, 'oidc-provider-cookies').toString('base64url')],
    adapter: accessCache.watchAdapter(
      createOidcAdapterFactory(store, {
        clock,
        deviceCodeSealKey: deriveKey(encryptionKey, 'oidc-device-codes'),
        // A rotated refresh token is kept for reuse detection only this long (docs/decisions.md).
        keepConsumedMs: { RefreshToken: config.authorizationServer.refreshTokenReuseDetectionSeconds * 1000 },
      }),
    ),
    trustProxy: !config.localInsecure,
    renderErrorPage: (out, requestId) => renderErrorPage(out.error, out.error_description, requestId),
    pageHeaders,
    devicePages: {
      codeEntry: (page) => renderer.render('device-code', { ...page, title: deviceCodeTitle(page.notice) }),
      success: (page) => renderer.render('device-success', page),
    },
    pollStore: store,
    pendingStepUps,
    clock,
    observe,
    logger,
  });

  const upstreamLogin = await createUpstreamLogin(
    config,
    store,
    logger,
    deriveKey(encryptionKey, 'upstream-pending-logins'),
    tracing,
  );
  const vault = new UpstreamTokenVault({
    store,
    encryptionKey: deriveKey(encryptionKey, 'upstream-tokens'),
    ttlSeconds: config.authorizationServer.refreshTokenTtlSeconds,
    refreshAtIdp: (refreshToken) => upstreamLogin.refreshToken(refreshToken),
    revokeGrant: authorizationServer.revokeGrant,
    clock,
    observe,
    logger,
  });
  const upstreamTokens = accessCache.upstreamTokens(vault);
  // Each authorization has its own grant and IdP tokens; a revoked grant takes its IdP tokens along.
  authorizationServer.onGrantRevoked((grantId) => vault.remove(grantId));
  const revokeWithIdpTokens = async (grantId: string): Promise<boolean> => {
    const existed = (await authorizationServer.revokeGrant(grantId)) !== undefined;
    await vault.remove(grantId);
    return existed;
  };

  const interactionRoutes = createInteractionRoutes({
    observe,
    provider: authorizationServer.provider,
    upstreamLogin,
    upstreamTokens,
    renderPage: (view, locals) => renderer.render(view, locals),
    pageHeaders,
    confirmedClients: new ConfirmedClients({
      signingKey: deriveKey(encryptionKey, 'confirmed-clients'),
      secure: !config.localInsecure,
    }),
    csrfKey: deriveKey(encryptionKey, 'csrf'),
    store,
    baseUrl: config.baseUrl,
    resource: config.servers[0].resource,
    scopes: config.authorizationServer.scopes,
    defaultScopes: config.authorizationServer.defaultScopes,
    identity: {
      callbackPath: config.identity.callbackPath,
      uniqueCallbackPath: config.identity.uniqueCallbackPath,
      redirectUri: config.identity.redirectUri,
      serverUrl: config.identity.serverUrl,
      issuer: upstreamLogin.client.metadata?.issuer,
    },
    logger,
  });

  // MAX_REQUESTS: every request per client address, as the Heroku proxy counts (address-rate-limit.ts).
  const addressRateLimit = createAddressRateLimit({
    limiter: createRateLimiter(store, {
      maxRequests: config.rateLimit.authMaxRequests,
      windowMs: config.rateLimit.authWindowMs,
      keyPrefix: 'ratelimit:auth:',
      logger,
    }),
    trustForwarded: !config.localInsecure,
    clientFormPaths: CLIENT_FORM_PATHS,
    observe,
  });

  const standaloneStreams = createStandaloneStreams(observe);
  const mcpEndpoint = await createMcpEndpoint({
    config,
    store,
    verifyAccessToken:
      tracing?.traceAccessCheck(
        (verify) => accessCache.verifier(verify),
        authorizationServer.verifyAccessToken,
      ) ?? accessCache.verifier(authorizationServer.verifyAccessToken),
    upstreamTokens,
    stepUp,
    admitUnauthenticated: addressRateLimit.admitUnauthenticated,
    processEnv: dependencies.processEnv ?? {},
    onChildExit: dependencies.onChildExit,
    standaloneStreams,
    observe,
    tracing,
    clock,
    logger,
  });

  const sendErrorPage = async (res: ServerResponse, error: OAuthError, requestId: string) => {
    const html = await renderErrorPage(error.code, error.message, requestId);
    res.writeHead(error.status, {
      ...pageHeaders,
      'content-length': Buffer.byteLength(html),
      ...(error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) }),
    });
    res.end(html);
  };

  const handler = createRequestHandler({
    observe,
    baseUrl: config.baseUrl,
    localInsecure: config.localInsecure,
    mcpPath: config.servers[0].path,
    allowedOrigins: config.proxy.allowedOrigins,
    protectedResourceMetadata: buildProtectedResourceMetadata({
      resource: config.servers[0].resource,
      issuer: config.baseUrl,
      scopes: config.authorizationServer.defaultScopes,
    }),
    protectedResourceMetadataPath: protectedResourceMetadataPath(config.servers[0].path),
    authorizationServer,
    routes: [
      ...interactionRoutes,
      // The admin API (docs/admin-api.md): no routes unless MCP_AUTH_PROXY_ADMIN_TOKEN is set.
      ...createAdminApi(config, { store, revokeGrant: revokeWithIdpTokens, observe, logger }),
    ],
    mcpProxy: mcpEndpoint,
    addressRateLimit,
    sendErrorPage,
    traceRequest: tracing?.traceRequest,
    logger,
  });

  const { supervisor } = mcpEndpoint;
  const mcpServerProbe: McpServerProbe =
    config.servers[0].transport === 'stdio'
      ? { kind: 'per-session' }
      : supervisor !== undefined
        ? { kind: 'supervised', isRunning: () => supervisor.isRunning() }
        : { kind: 'tcp', url: config.servers[0].url };
  const serve = serveHealthRoutesFirst(
    createHealthRoutes({
      store,
      mcpServer: mcpServerProbe,
      identityProvider: {
        metadata: () => upstreamLogin.client.metadata,
        discoveryUrl: config.identity.metadataFile === undefined ? config.identity.serverUrl : undefined,
      },
      clock,
      logger,
    }).concat(metrics?.publicRoutes ?? []),
    handler,
  );

  // Everything behind the HTTP server, in the order it is stopped.
  const stop = async (): Promise<void> => {
    await mcpEndpoint.close();
    await metrics?.close();
    accessCache.close();
    await invalidationBus.close();
    // Before the store: records still waiting for a client name read it.
    await audit?.close();
    await store.close();
    // The spans of the last requests leave last, within the same grace as the requests had.
    await tracing?.shutdown(config.proxy.shutdownGraceMs);
  };

  return {
    serve,
    store,
    authorizationServer,
    supervisor: mcpEndpoint.supervisor,
    listenForMetrics: async () => await metrics?.listen(),
    endStandaloneStreams: () => standaloneStreams.endAll(),
    stop,
  };
}
