import type { Config } from '../config/config.ts';
import { createAccountRoutes, createGrantActivity, type GrantActivity } from '../account/index.ts';
import type { Route } from '../http-kit/router.ts';
import { createPageSignIn, type UpstreamLogin } from '../interaction/index.ts';
import { observeAll, type Observe } from '../observability/index.ts';
import type { Clock } from '../shared/clock.ts';
import { deriveKey } from '../shared/crypto.ts';
import type { Logger } from '../shared/logger.ts';
import type { KeyValueStore } from '../store/index.ts';
import type { Pages } from './create-pages.ts';

/** What the connected-apps page is built from: the parts build-app.ts already has. */
export interface AccountPageParts {
  readonly config: Config;
  readonly store: KeyValueStore;
  readonly clock: Clock;
  readonly observe: Observe;
  readonly logger: Logger;
  readonly pages: Pages;
  readonly encryptionKey: Buffer;
  readonly upstreamLogin: UpstreamLogin;
  /** Revokes a grant through the authorization server (every instance hears of it), then its IdP tokens. */
  readonly revokeWithIdpTokens: (grantId: string) => Promise<boolean>;
  readonly activity: GrantActivity;
}

/**
 * The connected-apps page (/account, src/account): the login bridge's
 * sign-in, back through the one redirect URI registered at the IdP; the
 * views and their headers; keys of its own derived from the master key.
 */
export function createAccountPage(parts: AccountPageParts): Route[] {
  const { config, pages } = parts;
  return createAccountRoutes({
    store: parts.store,
    signIn: createPageSignIn({
      store: parts.store,
      upstreamLogin: parts.upstreamLogin,
      redirectUri: config.identity.redirectUri,
    }),
    revokeGrant: parts.revokeWithIdpTokens,
    activity: parts.activity,
    renderPage: (locals) => pages.renderer.render('account', locals),
    pageHeaders: pages.pageHeaders,
    keys: {
      session: deriveKey(parts.encryptionKey, 'account-session'),
      csrf: deriveKey(parts.encryptionKey, 'account-csrf'),
    },
    secure: !config.localInsecure,
    servers: config.servers,
    accessTokenTtlSeconds: config.authorizationServer.accessTokenTtlSeconds,
    observe: parts.observe,
    clock: parts.clock,
    logger: parts.logger,
  });
}

/**
 * The recorder of each grant's "last used" (src/account/grant-activity.ts),
 * and the proxy's observers with it: it hears every token issuance.
 */
export function observeGrantActivity(
  config: Config,
  foundation: { readonly store: KeyValueStore; readonly observe: Observe },
  clock: Clock,
  logger: Logger,
): { readonly activity: GrantActivity; readonly observe: Observe } {
  const activity = createGrantActivity({
    store: foundation.store,
    grantTtlSeconds: config.authorizationServer.refreshTokenTtlSeconds,
    clock,
    logger,
  });
  return { activity, observe: observeAll([foundation.observe, activity.observe]) };
}
