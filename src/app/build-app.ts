import type { IncomingMessage } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { Config } from '../config/config.ts';
import type { Clock } from '../shared/clock.ts';
import { systemClock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { deriveKey } from '../shared/crypto.ts';
import { createOidcAdapterFactory, openInvalidationBus, type KeyValueStore } from '../store/index.ts';
import { createAccessCache } from '../access-cache/index.ts';
import { resolveEncryptionKey, resolveSigningKeys } from '../keys/index.ts';
import {
  CLIENT_FORM_PATHS,
  createAuthorizationServer,
  createPendingStepUps,
  protectedResourceMetadataByPath,
  type AuthorizationServer,
} from '../authorization-server/index.ts';
import { ConfirmedClients, createInteractionRoutes } from '../interaction/index.ts';
import { UpstreamTokenVault } from '../upstream-token-vault/index.ts';
import { deviceCodeTitle } from '../views/index.ts';
import { createRequestHandler } from '../http/create-request-handler.ts';
import { createHealthRoutes, serveHealthRoutesFirst } from '../http/health-routes.ts';
import { createRateLimiter } from '../http-kit/rate-limiter.ts';
import { createAddressRateLimit } from '../http/address-rate-limit.ts';
import { createStandaloneStreams } from '../http-kit/standalone-streams.ts';
import { createAdminApi } from '../admin-api/index.ts';
import type { Observe } from '../observability/index.ts';
import { createSessionBinding } from '../proxy/index.ts';
import { createUpstreamLogin } from './create-upstream-login.ts';
import { createMcpEndpoints } from './create-mcp-endpoints.ts';
import { createPages, type Pages } from './create-pages.ts';
import { createAccountPage, observeGrantActivity } from './create-account-page.ts';
import { openFoundation, type Foundation } from './open-foundation.ts';
import { createIdentityCapture } from './identity-capture.ts';
import { openAccessRules, type LiveAccessRules } from './live-access-rules.ts';
import type { Supervisor } from '../supervisor/index.ts';

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
  /** The first MCP server's supervisor, when it is supervised (the MCP_SERVER_* server's). */
  readonly supervisor: Supervisor | undefined;
  /** Starts the separate metrics listener, when configured; resolves with its URL. */
  readonly listenForMetrics: () => Promise<string | undefined>;
  /** Ends the standalone SSE streams and refuses new ones (the first step of a shutdown). */
  readonly endStandaloneStreams: () => void;
  /** Stops everything behind the HTTP server, in order. */
  readonly stop: () => Promise<void>;
}

/** What the parts below share once the foundation is open. */
interface Parts extends Foundation {
  readonly config: Config;
  /** The access rules as they are now (docs/access-rules.md). */
  readonly accessRules: LiveAccessRules;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * The composition root: Config -> store -> keys -> authorization server and
 * login bridge -> one MCP endpoint per server -> request listener. Everything
 * is built from the validated Config; nothing below reads the environment.
 * Listening is start-app.ts's job, so that this reads as a list.
 */
export async function buildApp(config: Config, dependencies: AppDependencies): Promise<BuiltApp> {
  const { logger } = dependencies;
  const clock = dependencies.clock ?? systemClock;
  const foundation = await openFoundation(config, dependencies.observers ?? [], clock, logger);
  // "Last used" of the connected-apps page, recorded from each token issuance (src/account).
  const grantActivity = observeGrantActivity(config, foundation, clock, logger);
  const accessRules = await openAccessRules(config, logger);
  const parts: Parts = { ...foundation, observe: grantActivity.observe, config, accessRules, clock, logger };
  const { tracing, metrics, store, audit, observe } = parts;
  const pages = createPages(config);
  const authorization = await buildAuthorizationServer(parts, pages);
  const { authorizationServer, accessCache, invalidationBus } = authorization;
  const login = await buildLoginBridge(parts, pages, authorization);
  const addressRateLimit = addressRateLimitOf(parts);

  const standaloneStreams = createStandaloneStreams(observe);
  const mcp = await createMcpEndpoints(config.servers, {
    baseUrl: config.baseUrl,
    maxBodyBytes: config.proxy.maxBodyBytes,
    shutdownGraceMs: config.proxy.shutdownGraceMs,
    store,
    verifyAccessToken: authorization.verifyAccessToken,
    upstreamTokens: login.upstreamTokens,
    sessionOwners: createSessionBinding(store),
    recordStepUp: authorization.pendingStepUps?.record,
    accessRules: { rules: accessRules, identities: login.upstreamTokens },
    admitUnauthenticated: addressRateLimit.admitUnauthenticated,
    processEnv: dependencies.processEnv ?? {},
    onChildExit: dependencies.onChildExit,
    standaloneStreams,
    observe,
    tracing,
    clock,
    logger,
  });

  const handler = createRequestHandler({
    observe,
    baseUrl: config.baseUrl,
    localInsecure: config.localInsecure,
    mcpEndpoints: mcp.endpoints.map((endpoint) => ({ path: endpoint.server.path, endpoint })),
    allowedOrigins: config.proxy.allowedOrigins,
    protectedResourceMetadata: protectedResourceMetadataByPath({
      servers: config.servers,
      issuer: config.baseUrl,
    }),
    authorizationServer,
    routes: [
      ...login.interactionRoutes,
      // The connected-apps page (docs/account-page.md).
      ...createAccountPage({ ...parts, ...authorization, ...login, pages, activity: grantActivity.activity }),
      // The admin API (docs/admin-api.md): no routes unless MCP_AUTH_PROXY_ADMIN_TOKEN is set.
      ...createAdminApi(config, { store, revokeGrant: login.revokeWithIdpTokens, observe, logger }),
    ],
    addressRateLimit,
    sendErrorPage: pages.sendErrorPage,
    traceRequest: tracing?.traceRequest,
    clock,
    logger,
  });

  const serve = serveHealthRoutesFirst(
    createHealthRoutes({
      store,
      mcpServers: mcp.endpoints.map((endpoint) => ({ id: endpoint.server.id, probe: endpoint.probe })),
      identityProvider: {
        metadata: () => login.upstreamLogin.client.metadata,
        discoveryUrl: config.identity.metadataFile === undefined ? config.identity.serverUrl : undefined,
      },
      clock,
      logger,
    }).concat(metrics?.publicRoutes ?? []),
    handler,
  );

  // Everything behind the HTTP server, in the order it is stopped.
  const stop = async (): Promise<void> => {
    accessRules.close();
    await mcp.close();
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
    supervisor: mcp.supervisor,
    listenForMetrics: async () => await metrics?.listen(),
    endStandaloneStreams: () => standaloneStreams.endAll(),
    stop,
  };
}

/** Keys, the access cache, and oidc-provider with its adapter, its pages and the pending step-ups. */
async function buildAuthorizationServer(parts: Parts, pages: Pages) {
  const { config, store, clock, observe, logger } = parts;
  const { renderer, pageHeaders, renderErrorPage } = pages;
  // Token checks on the hot path are served from memory; revocations reach every instance over the bus.
  const invalidationBus = await openInvalidationBus(config.store, { store, clock, logger });
  const accessCache = createAccessCache({ bus: invalidationBus, clock, logger });
  const encryptionKey = await resolveEncryptionKey(config.keys);
  const signingKeys = await resolveSigningKeys(config.keys.signingKeys, store, encryptionKey);

  // Step-up (each server's scope rules): the MCP endpoint challenges, and the authorization server
  // refuses the refresh that SDK 1.x clients try next (step-up-refresh-refusal.ts).
  const stepUpRules = config.servers.some((server) => server.scopePolicy.rules.length > 0);
  const pendingStepUps = stepUpRules ? createPendingStepUps(store) : undefined;
  const authorizationServer = createAuthorizationServer({
    issuer: config.baseUrl,
    servers: config.servers,
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
  // The MCP endpoints' token check: served from memory after a token's first request, traced when on.
  const verifyAccessToken =
    parts.tracing?.traceAccessCheck(
      (verify) => accessCache.verifier(verify),
      authorizationServer.verifyAccessToken,
    ) ?? accessCache.verifier(authorizationServer.verifyAccessToken);
  return {
    authorizationServer,
    accessCache,
    invalidationBus,
    encryptionKey,
    pendingStepUps,
    verifyAccessToken,
  };
}

type Authorization = Awaited<ReturnType<typeof buildAuthorizationServer>>;

/** The upstream login, the vault of each grant's IdP tokens, and the interaction routes. */
async function buildLoginBridge(parts: Parts, pages: Pages, authorization: Authorization) {
  const { config, store, clock, observe, tracing, logger } = parts;
  const { renderer, pageHeaders } = pages;
  const { authorizationServer, accessCache, encryptionKey } = authorization;
  const upstreamLogin = await createUpstreamLogin(
    config,
    store,
    logger,
    deriveKey(encryptionKey, 'upstream-pending-logins'),
    tracing,
  );
  const identities = createIdentityCapture(parts.accessRules, upstreamLogin, logger);
  const vault = new UpstreamTokenVault({
    store,
    encryptionKey: deriveKey(encryptionKey, 'upstream-tokens'),
    ttlSeconds: config.authorizationServer.refreshTokenTtlSeconds,
    refreshAtIdp: (refreshToken, current) => identities.refreshAtIdp(refreshToken, current),
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
    signInRules: identities.signInRules,
    renderPage: (view, locals) => renderer.render(view, locals),
    pageHeaders,
    confirmedClients: new ConfirmedClients({
      signingKey: deriveKey(encryptionKey, 'confirmed-clients'),
      secure: !config.localInsecure,
    }),
    csrfKey: deriveKey(encryptionKey, 'csrf'),
    store,
    baseUrl: config.baseUrl,
    servers: config.servers,
    identity: {
      callbackPath: config.identity.callbackPath,
      uniqueCallbackPath: config.identity.uniqueCallbackPath,
      redirectUri: config.identity.redirectUri,
      serverUrl: config.identity.serverUrl,
      issuer: upstreamLogin.client.metadata?.issuer,
    },
    logger,
  });
  return { upstreamLogin, upstreamTokens, interactionRoutes, revokeWithIdpTokens };
}

/** MAX_REQUESTS: every request per client address, as the Heroku proxy counts (address-rate-limit.ts). */
function addressRateLimitOf({ config, store, observe, logger }: Parts) {
  return createAddressRateLimit({
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
}
