import type { AccountLocals } from '../views/index.ts';

/**
 * What the connected-apps page needs from the login bridge: a sign-in at the
 * IdP that comes back to one of its paths (src/interaction's `createPageSignIn`
 * implements it). Owned here, by its consumer.
 */
export interface AccountSignIn {
  /** Starts a sign-in that comes back to `callbackPath`: its state and the IdP URL to send the browser to. */
  start(callbackPath: string): Promise<{ readonly state: string; readonly url: string }>;
  /** Finishes it at `callbackPath` (state single use, code exchanged): the account id; throws an OAuthError. */
  finish(callbackPath: string, query: URLSearchParams): Promise<string>;
}

/**
 * Revokes one grant as the running proxy does (build-app.ts `revokeWithIdpTokens`):
 * the grant and every token issued under it, announced to every instance
 * through the access cache, and the grant's IdP tokens. True when it existed.
 */
export type RevokeGrant = (grantId: string) => Promise<boolean>;

/** Renders the page (layout included) to HTML. */
export type RenderAccountPage = (locals: AccountLocals) => Promise<string>;
