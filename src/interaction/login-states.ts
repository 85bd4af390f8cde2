/** The upstream login must come back within this time (Security Best Practices: ~10 min state). */
export const LOGIN_STATE_TTL_MS = 10 * 60 * 1000;
/**
 * `login-state:<state>`: where the IdP's answer to one upstream login goes,
 * keyed by the random `state` sent to the IdP. The IdP knows one redirect URI
 * (IDENTITY_CALLBACK_PATH); its route hops on to one of two places:
 * - an authorization request's interaction: the value is the interaction uid,
 *   and the hop goes to its own callback path, where oidc-provider's
 *   path-scoped interaction cookie is sent;
 * - a page of ours that signs a person in for itself (the connected-apps
 *   page): the value is that page's callback path ({@link pageSignIn}).
 */
export const STATE_INDEX_PREFIX = 'login-state:';

/**
 * A page's callback path begins with `/`; an interaction uid never does
 * (oidc-provider's ids use the URL-safe alphabet A-Z a-z 0-9 _ -), so one
 * stored value says which of the two it is, and the values written before
 * pages could sign in keep their meaning.
 */
const isPagePath = (value: string): boolean => value.startsWith('/');

/** Marks a login state as a page's: stored under STATE_INDEX_PREFIX in place of an interaction uid. */
export function pageSignIn(callbackPath: string): string {
  if (!isPagePath(callbackPath)) throw new Error(`a page callback path must begin with /: ${callbackPath}`);
  return callbackPath;
}

/** Where the IdP callback hops for a stored login state: the page's path, or the interaction's callback. */
export function loginStateDestination(stored: string, uniqueCallbackPath: string): string {
  return isPagePath(stored) ? stored : uniqueCallbackPath.replace(':uid', encodeURIComponent(stored));
}
