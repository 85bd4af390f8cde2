import type { IncomingMessage, ServerResponse } from 'node:http';
import { findGrant } from '../grants/index.ts';
import { readFormBody } from '../http-kit/read-body.ts';
import { redirect } from '../http-kit/respond.ts';
import type { Route } from '../http-kit/router.ts';
import { OAuthError } from '../oauth/oauth-error.ts';
import type { Observe } from '../observability/index.ts';
import type { Clock } from '../shared/clock.ts';
import { constantTimeEqual } from '../shared/crypto.ts';
import type { Logger } from '../shared/logger.ts';
import type { KeyValueStore } from '../store/index.ts';
import type { AccountLocals, AccountNotice } from '../views/index.ts';
import { AccountSessions, type AccountSession } from './account-session.ts';
import { connectedApp, connectedApps, type NamedServer } from './connected-apps.ts';
import { describeDuration } from './describe-duration.ts';
import type { GrantActivity } from './grant-activity.ts';
import type { AccountSignIn, RenderAccountPage, RevokeGrant } from './ports.ts';
import { SealedCookie } from './sealed-cookie.ts';

/** The page's paths; `account` is a reserved first segment (src/config/mount-path.ts). */
export const ACCOUNT_PATH = '/account';
const PATHS = {
  page: ACCOUNT_PATH,
  callback: `${ACCOUNT_PATH}/callback`,
  revoke: `${ACCOUNT_PATH}/revoke`,
  signOut: `${ACCOUNT_PATH}/sign-out`,
  signedOut: `${ACCOUNT_PATH}/signed-out`,
} as const;
const FORM_BODY_LIMIT_BYTES = 16 * 1024;
/** As the IdP's state: the sign-in must come back within this time. */
const SIGN_IN_BINDING_SECONDS = 10 * 60;
/** Long enough to outlive a sign-in at the IdP, for the notice that the session had ended. */
const NOTICE_SECONDS = 10 * 60;

export interface AccountRoutesOptions {
  readonly store: KeyValueStore;
  readonly signIn: AccountSignIn;
  readonly revokeGrant: RevokeGrant;
  readonly activity: GrantActivity;
  readonly renderPage: RenderAccountPage;
  /** Security headers for HTML pages (src/views/page-headers.ts). */
  readonly pageHeaders: Readonly<Record<string, string>>;
  /** Each derived from the master key for this page alone. */
  readonly keys: { readonly session: Buffer; readonly csrf: Buffer };
  /** Secure cookies: everywhere but LOCAL_INSECURE. */
  readonly secure: boolean;
  readonly servers: readonly NamedServer[];
  /** How stale "last used" may be: an app in use gets a token at least this often. */
  readonly accessTokenTtlSeconds: number;
  readonly observe: Observe;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The routes' shared parts: the session, the two short-lived cookies, and how the page is sent. */
function createPageState(options: AccountRoutesOptions) {
  const cookie = <T>(name: string, maxAgeSeconds: number, parse: (value: unknown) => T | undefined) =>
    new SealedCookie<T>({
      name,
      key: options.keys.session,
      path: ACCOUNT_PATH,
      secure: options.secure,
      maxAgeSeconds,
      parse,
    });
  const sessions = new AccountSessions({
    sessionKey: options.keys.session,
    csrfKey: options.keys.csrf,
    path: ACCOUNT_PATH,
    secure: options.secure,
    store: options.store,
    clock: options.clock,
  });
  // The IdP state of a sign-in this browser started: the callback must come back to the same browser.
  const signInBinding = cookie('mcp-account-sign-in', SIGN_IN_BINDING_SECONDS, (value) =>
    typeof value === 'string' ? value : undefined,
  );
  // What the page says once after an action (post, redirect, get).
  const notice = cookie('mcp-account-notice', NOTICE_SECONDS, parseNotice);

  async function sendPage(res: ServerResponse, status: number, locals: Partial<AccountLocals>) {
    const html = await options.renderPage({
      page: 'apps',
      accountId: undefined,
      apps: [],
      notice: undefined,
      csrfToken: undefined,
      paths: PATHS,
      lastUsedPrecision: describeDuration(options.accessTokenTtlSeconds),
      ...locals,
    });
    res.writeHead(status, { ...options.pageHeaders, 'content-length': Buffer.byteLength(html) });
    res.end(html);
  }

  return { sessions, signInBinding, notice, sendPage };
}

/**
 * The connected-apps page (docs/account-page.md): a signed-in user sees the
 * apps that hold their access and revokes any of them. Reached through the
 * same IdP sign-in as the MCP clients' logins, with a session of its own.
 */
export function createAccountRoutes(options: AccountRoutesOptions): Route[] {
  const { logger } = options;
  const { sessions, signInBinding, notice, sendPage } = createPageState(options);

  async function startSignIn(res: ServerResponse): Promise<void> {
    const { state: loginState, url } = await options.signIn.start(PATHS.callback);
    signInBinding.write(res, loginState);
    logger.info({ event: 'account.sign_in_started' }, 'account.sign_in_started');
    redirect(res, 303, url);
  }

  async function showApps(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const session = await sessions.current(req);
    if (session === undefined) return startSignIn(res);
    const shown = notice.read(req);
    if (shown !== undefined) notice.clear(res);
    const apps = await connectedApps(session.accountId, options);
    await sendPage(res, 200, {
      accountId: session.accountId,
      apps,
      notice: shown,
      csrfToken: sessions.csrfToken(session),
    });
  }

  async function finishSignIn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const bound = signInBinding.read(req);
    // RFC 6749 §10.12: the answer must come back to the browser that asked, or it signs a stranger in.
    if (bound === undefined || !constantTimeEqual(bound, query.get('state') ?? '')) {
      throw new OAuthError(
        'invalid_request',
        'this sign-in was started in another browser or has expired; open the connected-apps page again',
      );
    }
    const accountId = await options.signIn.finish(PATHS.callback, query);
    signInBinding.clear(res);
    sessions.start(res, accountId);
    logger.info({ event: 'account.signed_in' }, 'account.signed_in');
    redirect(res, 303, PATHS.page);
  }

  /**
   * The session and the form of a post, or undefined once the answer is sent: without a session
   * (signed out or ended while the page was open), `withoutSession`; without the token, 403.
   */
  async function checkedPost(
    req: IncomingMessage,
    res: ServerResponse,
    withoutSession: (res: ServerResponse) => void,
  ) {
    const session = await sessions.current(req);
    const form = await readFormBody(req, FORM_BODY_LIMIT_BYTES);
    if (session === undefined) {
      withoutSession(res);
      return undefined;
    }
    if (!sessions.isCsrfSafe(session, form)) {
      logger.info({ event: 'account.csrf_refused' }, 'account.csrf_refused');
      await sendPage(res, 403, { page: 'refused' });
      return undefined;
    }
    return { session, form };
  }

  async function revoke(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const checked = await checkedPost(req, res, () => {
      // Sign in again, then say that nothing was done.
      notice.write(res, { kind: 'session_ended' });
      redirect(res, 303, PATHS.page);
    });
    if (checked === undefined) return;
    notice.write(res, await revokeOwnGrant(req, checked.session, checked.form.get('grant') ?? ''));
    redirect(res, 303, PATHS.page);
  }

  /** Revokes the grant if it is the session's user's; another user's grant is as unknown as a revoked one. */
  async function revokeOwnGrant(
    req: IncomingMessage,
    session: AccountSession,
    grantId: string,
  ): Promise<AccountNotice> {
    const grant = grantId === '' ? undefined : await findGrant(options.store, grantId);
    if (grant?.accountId !== session.accountId) return { kind: 'not_found' };
    const { label } = await connectedApp(grant, options);
    if (!(await options.revokeGrant(grantId))) return { kind: 'not_found' };
    await options.activity.forget(grantId);
    const { accountId, clientId } = grant;
    options.observe({ type: 'grant.revoked', by: 'user', grantId, accountId, clientId, request: req });
    logger.info({ event: 'account.grant_revoked', clientId, grantId }, 'account.grant_revoked');
    return { kind: 'revoked', app: label };
  }

  async function signOut(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const checked = await checkedPost(req, res, () => {
      sessions.clear(res);
      redirect(res, 303, PATHS.signedOut);
    });
    if (checked === undefined) return;
    await sessions.end(res, checked.session);
    logger.info({ event: 'account.signed_out' }, 'account.signed_out');
    redirect(res, 303, PATHS.signedOut);
  }

  // GET only, never HEAD: without a session the page starts a sign-in, which stores a login state.
  return [
    { methods: ['GET'], path: PATHS.page, handle: showApps },
    { methods: ['GET'], path: PATHS.callback, handle: finishSignIn },
    { methods: ['POST'], path: PATHS.revoke, handle: revoke },
    { methods: ['POST'], path: PATHS.signOut, handle: signOut },
    {
      methods: ['GET'],
      path: PATHS.signedOut,
      handle: (_req, res) => sendPage(res, 200, { page: 'signed-out', title: 'Signed out' }),
    },
  ];
}

function parseNotice(value: unknown): AccountNotice | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { kind, app } = value as Record<string, unknown>;
  if (kind === 'revoked' && typeof app === 'string') return { kind, app };
  if (kind === 'not_found' || kind === 'session_ended') return { kind };
  return undefined;
}
