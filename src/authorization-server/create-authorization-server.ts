import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWK } from 'jose';
import Provider, {
  type errors,
  type AdapterFactory,
  type ErrorOut,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import type { AuthorizationServerConfig } from '../config/config.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { sanitizeUrl } from '../shared/logger.ts';
import { surfaceStoreOutages, translateAdapterErrors } from './dependency-errors.ts';
import { withRefreshTokenReuseGrace } from './refresh-token-reuse-grace.ts';
import { withStepUpRefreshRefusal, type PendingStepUps } from './step-up-refresh-refusal.ts';
import { createProviderConfiguration } from './provider-configuration.ts';
import { observeProviderEvents } from './observe-provider-events.ts';
import { ignoreEvents, type Observe } from '../observability/index.ts';
import type { DevicePages } from './device-flow.ts';
import { enforceDevicePolling, type DevicePollStore } from './device-polling.ts';
import { createAccessTokenVerifier, type VerifiedAccess } from './verify-access-token.ts';
import type { ProtectedResources } from './protected-resources.ts';
import { requestIdOf } from '../http-kit/request-context.ts';

const RETRY_AFTER_SECONDS = 5;

export interface AuthorizationServerOptions {
  issuer: string;
  /** Every MCP server, each a protected resource with its own scopes; the first is the default resource. */
  servers: ProtectedResources;
  settings: AuthorizationServerConfig;
  signingKeys: readonly JWK[];
  cookieKeys: readonly string[];
  adapter: AdapterFactory;
  /** Behind a TLS-terminating router (LOCAL_INSECURE=false): trust X-Forwarded-Proto. */
  trustProxy: boolean;
  renderErrorPage: (error: ErrorOut, requestId: string | undefined) => Promise<string>;
  /** Security headers of every HTML page (views/page-headers), for oidc-provider's error pages. */
  pageHeaders?: Readonly<Record<string, string>> | undefined;
  /** The device flow's pages (RFC 8628). */
  devicePages: DevicePages;
  /** Where device-code polls are timed (RFC 8628 §3.5 `slow_down`), shared by every instance. */
  pollStore: DevicePollStore;
  /** Grants just challenged for scope (scope rules only): their next refresh is refused once. */
  pendingStepUps?: PendingStepUps | undefined;
  /** The clock the adapter and the device-poll pacing run on. Defaults to the system clock. */
  clock?: Clock | undefined;
  /** Told of registrations, authorizations, tokens and revocations (metrics, audit). */
  observe?: Observe | undefined;
  logger: Logger;
}

export interface AuthorizationServer {
  readonly provider: Provider;
  /** The node handler for every route oidc-provider serves. */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  readonly verifyAccessToken: (token: string) => Promise<VerifiedAccess | undefined>;
  /** Revokes a grant and every token issued under it. */
  /** Resolves to the client the grant was for, when it still existed. */
  readonly revokeGrant: (grantId: string) => Promise<string | undefined>;
  /**
   * Calls `listener` for each grant oidc-provider revokes (a client's revocation, a replayed code,
   * a reused refresh token), so that what hangs off the grant elsewhere can go with it.
   */
  readonly onGrantRevoked: (listener: (grantId: string) => Promise<void>) => void;
}

export function createAuthorizationServer(options: AuthorizationServerOptions): AuthorizationServer {
  const clock = options.clock ?? systemClock;
  const observe = options.observe ?? ignoreEvents;
  const withGrace = withRefreshTokenReuseGrace(options.adapter, {
    graceSeconds: options.settings.refreshTokenReuseGraceSeconds,
    clock,
    logger: options.logger,
    observe,
  });
  const adapter =
    options.pendingStepUps === undefined
      ? withGrace
      : withStepUpRefreshRefusal(withGrace, options.pendingStepUps, options.servers, options.logger);
  const provider = new Provider(
    options.issuer,
    createProviderConfiguration({
      settings: options.settings,
      resources: options.servers,
      signingKeys: options.signingKeys,
      cookieKeys: options.cookieKeys,
      adapter: translateAdapterErrors(adapter),
      renderErrorPage: options.renderErrorPage,
      pageHeaders: options.pageHeaders,
      observe,
      devicePages: options.devicePages,
      clock,
      logger: options.logger,
    }),
  );
  provider.proxy = options.trustProxy;

  provider.use(async (ctx, next) => {
    await next();
    if (ctx.status === 503) ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
  });
  provider.use(enforceDevicePolling({ store: options.pollStore, clock }));

  logProviderEvents(provider, options.logger);
  observeProviderEvents(provider, observe);

  const callback = provider.callback();
  return {
    provider,
    handle: (req, res) => {
      void callback(req, res);
    },
    verifyAccessToken: surfaceStoreOutages(
      createAccessTokenVerifier(
        provider,
        options.servers.map((server) => server.resource),
      ),
    ),
    revokeGrant: surfaceStoreOutages(async (grantId: string) => {
      const grant = await provider.Grant.find(grantId);
      await grant?.destroy();
      // Tokens are indexed by grant in the adapter: this removes every access and refresh token.
      await provider.AccessToken.adapter.revokeByGrantId(grantId);
      return grant?.clientId;
    }),
    onGrantRevoked: (listener) => {
      provider.on('grant.revoked', (_ctx: KoaContextWithOIDC, grantId: string) => {
        listener(grantId).catch((error: unknown) => {
          options.logger.warn(
            { event: 'oauth.grant_revoked_cleanup_failed', grantId, err: error },
            'oauth.grant_revoked_cleanup_failed',
          );
        });
      });
    },
  };
}

function logProviderEvents(provider: Provider, logger: Logger): void {
  const where = (ctx: KoaContextWithOIDC) => ({
    route: ctx.oidc?.route,
    path: sanitizeUrl(ctx.path),
    requestId: requestIdOf(ctx.req),
  });
  provider.on('server_error', (ctx: KoaContextWithOIDC, error: Error) => {
    logger.error({ event: 'oauth.server_error', ...where(ctx), err: error }, 'oauth.server_error');
  });
  const logClientError = (event: string) => (ctx: KoaContextWithOIDC, error: errors.OIDCProviderError) => {
    logger.info(
      {
        event: `oauth.${event}`,
        ...where(ctx),
        clientId: ctx.oidc?.client?.clientId,
        error: error.message,
        description: error.error_description,
        // oidc-provider keeps the precise reason ("authorization code already consumed") out of the
        // response on purpose; the operator needs it. It never holds a token value.
        detail: error.error_detail,
      },
      `oauth.${event}`,
    );
  };
  provider.on('authorization.error', logClientError('authorization.error'));
  provider.on('grant.error', logClientError('grant.error'));
  provider.on('revocation.error', logClientError('revocation.error'));
  provider.on('userinfo.error', logClientError('userinfo.error'));
  provider.on('registration_create.success', (ctx: KoaContextWithOIDC, client: { clientId: string }) => {
    logger.info(
      { event: 'oauth.client_registered', ...where(ctx), clientId: client.clientId },
      'oauth.client_registered',
    );
  });
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    logger.info(
      {
        event: 'oauth.token_issued',
        ...where(ctx),
        clientId: ctx.oidc.client?.clientId,
        grantType: ctx.oidc.params?.grant_type,
      },
      'oauth.token_issued',
    );
  });
  provider.on('grant.revoked', (_ctx: KoaContextWithOIDC, grantId: string) => {
    logger.info({ event: 'oauth.grant_revoked', grantId }, 'oauth.grant_revoked');
  });
}
