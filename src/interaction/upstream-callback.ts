import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { ProtectedResources } from '../authorization-server/index.ts';
import type { RouteHandler } from '../http-kit/router.ts';
import { OAuthError } from '../oauth/oauth-error.ts';
import type { Observe } from '../observability/index.ts';
import { serializeIdentity, type Identity } from '../policy/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { KeyValueStore } from '../store/key-value-store.ts';
import { finishLogin } from './finish-login.ts';
import { authorizationErrorCode, finishWithError } from './finish-with-error.ts';
import { clientOf, loadInteraction, type LoadedInteraction } from './load-interaction.ts';
import type {
  RenderPage,
  SignInRules,
  UpstreamLogin,
  UpstreamLoginResult,
  UpstreamTokenSink,
} from './ports.ts';
import { refuseSignIn } from './refuse-sign-in.ts';
import { STATE_INDEX_PREFIX } from './login-states.ts';

export interface UpstreamCallbackOptions {
  readonly provider: Provider;
  readonly upstreamLogin: UpstreamLogin;
  readonly upstreamTokens: UpstreamTokenSink;
  readonly signInRules: SignInRules;
  readonly store: KeyValueStore;
  readonly servers: ProtectedResources;
  /** The page of a refused sign-in (views `signin-refused`). */
  readonly renderPage: RenderPage;
  readonly pageHeaders: Readonly<Record<string, string>>;
  readonly observe: Observe;
  readonly logger: Logger;
}

/** The user as the IdP has just signed them in. */
interface SignedIn {
  readonly tokens: UpstreamLoginResult;
  readonly identity: Identity;
}

/**
 * The IdP's redirect back, on the interaction's own path (where the browser
 * sends its interaction cookie): take the login state (single use), exchange
 * the code, learn who signed in, ask the `signIn:` rules (the first moment
 * the identity is known), then make the grant that holds the user's IdP
 * tokens and identity, sealed together (the upstream token vault).
 */
export function upstreamCallback(options: UpstreamCallbackOptions): RouteHandler {
  const { provider, observe, logger } = options;

  async function signInAtIdp(
    req: IncomingMessage,
    res: ServerResponse,
    loaded: LoadedInteraction,
    query: URLSearchParams,
  ): Promise<SignedIn | undefined> {
    try {
      const tokens = await options.upstreamLogin.completeLogin({
        params: query,
        state: query.get('state') ?? '',
      });
      return { tokens, identity: await options.signInRules.identify(tokens) };
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      const uid = loaded.details.uid;
      logger.info(
        { event: 'interaction.upstream_login_failed', uid, error: error.code },
        'interaction.upstream_login_failed',
      );
      observe({ type: 'signin.failed', reason: error.code, ...clientOf(loaded), request: req });
      await finishWithError(provider, req, res, authorizationErrorCode(error), error.message);
      return undefined;
    }
  }

  async function grantAccess(
    req: IncomingMessage,
    res: ServerResponse,
    loaded: LoadedInteraction,
    { tokens, identity }: SignedIn,
  ): Promise<void> {
    const grantId = await finishLogin({
      provider,
      details: loaded.details,
      accountId: tokens.userId,
      servers: options.servers,
    });
    // The claims themselves are not kept: the identity built from them is, sealed with the IdP tokens.
    const { idTokenClaims: _claims, ...kept } = tokens;
    await options.upstreamTokens.save(grantId, { ...kept, identity: serializeIdentity(identity) });
    observe({
      type: 'signin.succeeded',
      accountId: tokens.userId,
      grantId,
      ...clientOf(loaded),
      request: req,
    });
    logger.info(
      {
        event: 'interaction.login_finished',
        uid: loaded.details.uid,
        clientId: loaded.client.clientId,
        grantId,
      },
      'interaction.login_finished',
    );
    await provider.interactionFinished(
      req,
      res,
      {
        login: { accountId: tokens.userId, remember: false },
        consent: { grantId },
        ...(loaded.details.prompt.name === 'select_account' ? { select_account: {} } : {}),
      },
      { mergeWithLastSubmission: false },
    );
  }

  return async (req, res, params) => {
    const uid = params.uid ?? '';
    const loaded = await loadInteraction(provider, req, res, uid);
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    // Single use: a replayed callback finds no state.
    const stateUid = await options.store.take(STATE_INDEX_PREFIX + (query.get('state') ?? ''));
    if (stateUid !== uid)
      throw new OAuthError('invalid_request', 'the sign-in state does not match this interaction');
    const signedIn = await signInAtIdp(req, res, loaded, query);
    if (signedIn === undefined) return;
    const decision = options.signInRules.decide(signedIn.identity);
    if (!decision.allowed) {
      return await refuseSignIn(options, req, res, loaded, signedIn.tokens.userId, decision);
    }
    await grantAccess(req, res, loaded, signedIn);
  };
}
