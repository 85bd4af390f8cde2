/**
 * Where oidc-provider serves its endpoints, and with which methods. The paths
 * are the reference's (heroku-compat §2b), so existing client configurations
 * keep working. The route table in front (http/create-request-handler) sends
 * only these to oidc-provider and answers a wrong method itself with a JSON
 * 405: oidc-provider's router would answer Koa's plain-text 404, which breaks
 * clients that parse every error body as JSON (clients.md §5.2).
 */
export const PROVIDER_ROUTES = {
  authorization: '/auth',
  token: '/token',
  registration: '/reg',
  jwks: '/jwks',
  revocation: '/token/revocation',
  userinfo: '/me',
  end_session: '/session/end',
  pushed_authorization_request: '/request',
  device_authorization: '/device/auth',
  code_verification: '/device',
} as const;

/**
 * The endpoints whose form bodies name the client (`client_id`, RFC 6749
 * §2.3.1 and §3.2.1, RFC 8628 §3.1, RFC 9126 §2): the per-address rate limit
 * reads it there (http/address-rate-limit.ts).
 */
export const CLIENT_FORM_PATHS: ReadonlySet<string> = new Set([
  PROVIDER_ROUTES.token,
  PROVIDER_ROUTES.revocation,
  PROVIDER_ROUTES.pushed_authorization_request,
  PROVIDER_ROUTES.device_authorization,
]);

/**
 * The largest body oidc-provider reads (56 KiB, fixed in the engine); over it the engine answers
 * 400 and leaves the rest unread. The route table refuses a larger declared body first, with the
 * 413 every endpoint gives (http-kit/refuse-oversized-body.ts).
 */
export const PROVIDER_BODY_LIMIT_BYTES = 56 * 1024;

const READ = ['GET', 'HEAD'] as const;
const WRITE = ['POST'] as const;

// oidc-provider 9 serves /auth and /session/end by GET only (POST needs `enableHttpPostMethods`, off
// by default because of SameSite cookies); its GET routes answer HEAD too.
const ROUTES: ReadonlyArray<readonly [RegExp, readonly string[], string]> = [
  [/^\/auth$/, READ, '/auth'],
  [/^\/auth\/[^/]+$/, READ, '/auth/:uid'],
  [/^\/token$/, WRITE, '/token'],
  [/^\/token\/revocation$/, WRITE, '/token/revocation'],
  [/^\/reg$/, WRITE, '/reg'],
  [/^\/reg\/[^/]+$/, READ, '/reg/:clientId'],
  [/^\/jwks$/, READ, '/jwks'],
  [/^\/me$/, [...READ, 'POST'], '/me'],
  [/^\/request$/, WRITE, '/request'],
  [/^\/session\/end$/, READ, '/session/end'],
  [/^\/session\/end\/confirm$/, WRITE, '/session/end/confirm'],
  [/^\/session\/end\/success$/, READ, '/session/end/success'],
  [/^\/device\/auth$/, WRITE, '/device/auth'],
  [/^\/device$/, [...READ, 'POST'], '/device'],
  // oidc-provider resumes a device sign-in here after the interaction (`device_resume`).
  [/^\/device\/[^/]+$/, READ, '/device/:uid'],
  [/^\/\.well-known\/openid-configuration$/, READ, '/.well-known/openid-configuration'],
];

/** The methods oidc-provider answers on this path, or undefined when the path is not its own. */
export function providerRouteMethods(pathname: string): readonly string[] | undefined {
  return ROUTES.find(([pattern]) => pattern.test(pathname))?.[1];
}

/** The route template of one of oidc-provider's paths (`/auth/:uid`), for span names; undefined when not its own. */
export function providerRouteTemplate(pathname: string): string | undefined {
  return ROUTES.find(([pattern]) => pattern.test(pathname))?.[2];
}
