import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { KeyValueStore } from '../store/key-value-store.ts';
import type { Logger } from '../shared/logger.ts';
import { ignoreEvents, type Observe } from '../observability/index.ts';
import { randomToken } from '../shared/crypto.ts';
import { OAuthError } from '../oauth/oauth-error.ts';
import { readFormBody } from '../http-kit/read-body.ts';
import { redirect } from '../http-kit/respond.ts';
import type { Route } from '../http-kit/router.ts';
import type { ConfirmedClients } from './confirmed-clients.ts';
import { csrfTokenFor, isCsrfSafe } from './csrf.ts';
import { finishWithError } from './finish-with-error.ts';
import {
  clientOf,
  loadInteraction,
  type InteractionDetails,
  type LoadedInteraction,
} from './load-interaction.ts';
import { upstreamCallback } from './upstream-callback.ts';
import { buildConfirmPageLocals } from './confirm-page-locals.ts';
import { deviceUserCodeOf } from './device-user-code.ts';
import { sendPage } from './send-page.ts';
import type { RenderPage, SignInRules, UpstreamLogin, UpstreamTokenSink } from './ports.ts';
import { stepUpScopesToConfirm } from './step-up-confirmations.ts';
import { LOGIN_STATE_TTL_MS, loginStateDestination, STATE_INDEX_PREFIX } from './login-states.ts';
import type { ProtectedResources } from '../authorization-server/index.ts';

const FORM_BODY_LIMIT_BYTES = 16 * 1024;

export interface InteractionRoutesOptions {
  provider: Provider;
  upstreamLogin: UpstreamLogin;
  upstreamTokens: UpstreamTokenSink;
  /** Who signed in, and whether the `signIn:` rules let them (docs/access-rules.md). */
  signInRules: SignInRules;
  renderPage: RenderPage;
  /** Security headers for HTML pages (views/page-headers). */
  pageHeaders: Readonly<Record<string, string>>;
  confirmedClients: ConfirmedClients;
  csrfKey: Buffer;
  store: KeyValueStore;
  baseUrl: string;
  /**
   * Every MCP server: what a grant may hold for each, what a client that names no scope gets (the
   * other scopes are granted only through step-up), and what the confirm page names.
   */
  servers: ProtectedResources;
  identity: {
    callbackPath: string;
    uniqueCallbackPath: string;
    redirectUri: string;
    serverUrl: URL | undefined;
    /** The IdP issuer from its metadata: named on the confirm page when IDENTITY_SERVER_URL is not set. */
    issuer?: string | undefined;
  };
  /** Told of each confirmation shown, accepted or declined and each sign-in's outcome (metrics, audit). */
  observe?: Observe | undefined;
  logger: Logger;
}

/**
 * The human part of /auth (see docs/architecture.md): confirm the client when
 * this browser has not yet, send the user to the upstream IdP, take the IdP's
 * answer, and finish the interaction with a grant that holds the user's
 * upstream tokens.
 */
export function createInteractionRoutes(options: InteractionRoutesOptions): Route[] {
  const { provider, logger } = options;
  const observe = options.observe ?? ignoreEvents;
  const stepUpScopesOf = (details: InteractionDetails): string[] =>
    stepUpScopesToConfirm(options.servers, details);
  const load = (req: IncomingMessage, res: ServerResponse, uid: string) =>
    loadInteraction(provider, req, res, uid);

  async function sendToIdentityProvider(res: ServerResponse, uid: string): Promise<void> {
    const state = randomToken(32);
    await options.store.set(STATE_INDEX_PREFIX + state, uid, { ttlMs: LOGIN_STATE_TTL_MS });
    const url = await options.upstreamLogin.generateAuthUrl(state, options.identity.redirectUri);
    logger.info({ event: 'interaction.upstream_login_started', uid }, 'interaction.upstream_login_started');
    redirect(res, 303, url);
  }

  async function renderConfirmation(
    res: ServerResponse,
    loaded: LoadedInteraction,
    userCode: string | undefined,
  ) {
    const html = await options.renderPage(
      'confirm-login',
      buildConfirmPageLocals({
        client: loaded.client,
        details: loaded.details,
        servers: options.servers,
        csrfToken: csrfTokenFor(options.csrfKey, loaded.details.uid),
        identityServerUrl: options.identity.serverUrl,
        identityIssuer: options.identity.issuer,
        userCode,
      }),
    );
    sendPage(res, 200, html, options.pageHeaders);
  }

  // GET only, never HEAD: each of these steps has effects (a login state, a single-use code).
  return [
    {
      methods: ['GET'],
      path: options.identity.callbackPath,
      // The IdP returns here (the redirect URI registered there). The interaction cookie is scoped to
      // /interaction/<uid>, so hop to the interaction's own callback path where the browser sends it,
      // or to the callback of the page that started this sign-in (login-states.ts).
      handle: async (req, res) => {
        const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
        const state = query.get('state');
        const stored = state === null ? undefined : await options.store.get(STATE_INDEX_PREFIX + state);
        if (stored === undefined) {
          throw new OAuthError(
            'invalid_request',
            'this sign-in has expired or was already used; start again from your MCP client',
          );
        }
        const destination = loginStateDestination(stored, options.identity.uniqueCallbackPath);
        redirect(res, 302, `${destination}?${query.toString()}`);
      },
    },
    {
      methods: ['GET'],
      path: options.identity.uniqueCallbackPath,
      handle: upstreamCallback({ ...options, observe }),
    },
    {
      methods: ['GET'],
      path: '/interaction/:uid',
      handle: async (req, res, params) => {
        const loaded = await load(req, res, params.uid ?? '');
        // A device sign-in is confirmed every time, remembered or not: its user code may have been
        // sent to this person by someone else (RFC 8628 §5.4, remote phishing).
        const userCode = await deviceUserCodeOf(provider, loaded.details);
        const remembered = options.confirmedClients.has(
          req,
          loaded.client.clientId,
          stepUpScopesOf(loaded.details),
        );
        if (userCode === undefined && remembered) {
          await sendToIdentityProvider(res, loaded.details.uid);
          return;
        }
        await renderConfirmation(res, loaded, userCode);
        observe({ type: 'confirmation.shown', ...clientOf(loaded), request: req });
      },
    },
    {
      methods: ['POST'],
      path: '/interaction/:uid/confirm-login',
      handle: async (req, res, params) => {
        const loaded = await load(req, res, params.uid ?? '');
        const form = await readFormBody(req, FORM_BODY_LIMIT_BYTES);
        if (!isCsrfSafe(req, form, options.csrfKey, loaded.details.uid, options.baseUrl)) {
          throw new OAuthError('forbidden', 'the confirmation did not come from this sign-in page');
        }
        if (form.get('confirmed') !== 'true') {
          // As the reference: without the checkbox the page is shown again.
          await renderConfirmation(res, loaded, await deviceUserCodeOf(provider, loaded.details));
          return;
        }
        options.confirmedClients.remember(req, res, loaded.client.clientId, stepUpScopesOf(loaded.details));
        observe({ type: 'confirmation.accepted', ...clientOf(loaded), request: req });
        logger.info(
          {
            event: 'interaction.client_confirmed',
            uid: loaded.details.uid,
            clientId: loaded.client.clientId,
          },
          'interaction.client_confirmed',
        );
        await sendToIdentityProvider(res, loaded.details.uid);
      },
    },
    {
      methods: ['GET', 'POST'],
      path: '/interaction/:uid/abort',
      handle: async (req, res, params) => {
        const loaded = await load(req, res, params.uid ?? '');
        observe({ type: 'confirmation.declined', ...clientOf(loaded), request: req });
        await finishWithError(provider, req, res, 'access_denied', 'the user cancelled the sign-in');
      },
    },
  ];
}
