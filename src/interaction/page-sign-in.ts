import type { KeyValueStore } from '../store/key-value-store.ts';
import { randomToken } from '../shared/crypto.ts';
import { OAuthError } from '../oauth/oauth-error.ts';
import { LOGIN_STATE_TTL_MS, pageSignIn, STATE_INDEX_PREFIX } from './login-states.ts';
import type { UpstreamLogin } from './ports.ts';

/**
 * A sign-in at the IdP for a page of ours rather than for an authorization
 * request (the connected-apps page): the same upstream login (PKCE, state,
 * nonce; src/upstream-idp), the same registered redirect URI, whose route
 * hops on to the page's callback path (login-states.ts). It issues no grant
 * and keeps none of the IdP's tokens: the page learns who signed in, nothing
 * more.
 */
export interface PageSignIn {
  /**
   * Starts a sign-in that comes back to `callbackPath` (with the IdP's answer
   * as its query): the state, which the page binds to the browser, and the
   * IdP's authorization URL to send the browser to.
   */
  start(callbackPath: string): Promise<{ readonly state: string; readonly url: string }>;
  /**
   * Finishes it at `callbackPath`: the state must be one started for this
   * path (single use), then the IdP's code is exchanged. Resolves to the
   * user's account id; throws an OAuthError when the sign-in failed.
   */
  finish(callbackPath: string, query: URLSearchParams): Promise<string>;
}

export function createPageSignIn(options: {
  readonly store: KeyValueStore;
  readonly upstreamLogin: UpstreamLogin;
  /** IDENTITY_CALLBACK_PATH's URL: the one redirect URI registered at the IdP. */
  readonly redirectUri: string;
}): PageSignIn {
  const { store, upstreamLogin } = options;
  return {
    async start(callbackPath) {
      const state = randomToken(32);
      await store.set(STATE_INDEX_PREFIX + state, pageSignIn(callbackPath), { ttlMs: LOGIN_STATE_TTL_MS });
      return { state, url: await upstreamLogin.generateAuthUrl(state, options.redirectUri) };
    },
    async finish(callbackPath, query) {
      const state = query.get('state') ?? '';
      // Single use, and only for the page it was started for: a replayed or an interaction's state fails.
      const stored = state === '' ? undefined : await store.take(STATE_INDEX_PREFIX + state);
      if (stored !== pageSignIn(callbackPath)) {
        throw new OAuthError('invalid_request', 'this sign-in has expired or was already used; start again');
      }
      const tokens = await upstreamLogin.completeLogin({ params: query, state });
      return tokens.userId;
    },
  };
}
