import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/index.ts';
import { toOAuthError } from '../http/error-boundary.ts';
import { createRateLimiter } from '../http-kit/rate-limiter.ts';
import { sendJson, sendOAuthError } from '../http-kit/respond.ts';
import type { Route } from '../http-kit/router.ts';
import { OAuthError } from '../oauth/oauth-error.ts';
import { createAdminCalls, type AdminCall, type AdminCallsOptions } from './admin-calls.ts';
import { createAdminGate, type AdminGate } from './admin-gate.ts';

/** The versioned prefix: a change that could break a caller gets /admin/v2/, never a change here. */
export const ADMIN_API_PREFIX = '/admin/v1';

/** What the admin API reads of the configuration. */
export type AdminApiConfigSlice = Pick<Config, 'adminApi' | 'rateLimit' | 'localInsecure'>;

/**
 * The admin HTTP API (docs/admin-api.md): routes for the host's route table,
 * none when the API is off. Every answer is JSON, errors included, whatever
 * the host does for its browser-facing routes.
 */
export function createAdminApi(config: AdminApiConfigSlice, options: AdminCallsOptions): readonly Route[] {
  // MCP_AUTH_PROXY_ADMIN_TOKEN unset: the API is off, and /admin/v1/ is answered 404 like any unknown path.
  if (config.adminApi === undefined) return [];
  const gate = createAdminGate({
    token: config.adminApi.token,
    // MAX_REQUESTS per MAX_REQUESTS_WINDOW: the admin budget of one client address.
    limiter: createRateLimiter(options.store, {
      maxRequests: config.rateLimit.authMaxRequests,
      windowMs: config.rateLimit.authWindowMs,
      keyPrefix: 'ratelimit:admin:',
      logger: options.logger,
    }),
    trustForwarded: !config.localInsecure,
    observe: options.observe,
  });
  const calls = createAdminCalls(options);
  const route = (path: string, byMethod: Readonly<Record<string, AdminCall>>): Route => ({
    methods: Object.keys(byMethod),
    path: ADMIN_API_PREFIX + path,
    handle: (req, res, params) => answer(req, res, gate, byMethod[req.method ?? ''], params, options),
  });
  return [
    route('/users/:accountId/grants', { GET: calls.listUserGrants, DELETE: calls.revokeUserGrants }),
    route('/grants/:grantId', { GET: calls.readGrant, DELETE: calls.revokeGrant }),
    route('/clients', { GET: calls.listClients }),
  ];
}

/** Gate, call, answer: the body of a 200, or the call's OAuth error; anything else is a logged 500. */
async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  gate: AdminGate,
  call: AdminCall | undefined,
  params: Readonly<Record<string, string>>,
  options: AdminCallsOptions,
): Promise<void> {
  try {
    if (!(await gate(req, res))) return;
    // The route table lets only the methods of the route through.
    if (call === undefined) throw new Error(`no admin call for ${req.method}`);
    const query = new URL(req.url ?? '/', 'http://admin.invalid').searchParams;
    sendJson(res, 200, await call({ request: req, params, query }));
  } catch (error) {
    const known = toOAuthError(error);
    if (known !== undefined) return sendOAuthError(res, known);
    options.logger.error(
      { event: 'admin_api.failed', requestId: req.headers['x-request-id'], err: error },
      'admin_api.failed',
    );
    sendOAuthError(res, new OAuthError('server_error', 'the server could not complete the request'));
  }
}
