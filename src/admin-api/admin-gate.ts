import type { IncomingMessage, ServerResponse } from 'node:http';
import { writeRateLimitHeaders, type RateLimiter } from '../http-kit/rate-limiter.ts';
import { clientAddressOf } from '../http-kit/request-context.ts';
import { sendOAuthError } from '../http-kit/respond.ts';
import { OAuthError } from '../oauth/oauth-error.ts';
import { buildBearerChallenge } from '../oauth/www-authenticate.ts';
import type { Observe } from '../observability/index.ts';
import { readBearerCredential } from '../oauth/bearer-credential.ts';
import { secretMatcher } from '../shared/crypto.ts';

const REALM = 'mcp-auth-proxy admin';

export interface AdminGateOptions {
  /** MCP_AUTH_PROXY_ADMIN_TOKEN. */
  readonly token: string;
  /** Counts every admin call per client address, refused ones included. */
  readonly limiter: RateLimiter;
  readonly trustForwarded: boolean;
  readonly observe: Observe;
}

/** Answers the request itself (429 or 401) and resolves false, or resolves true: the caller may go on. */
export type AdminGate = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/**
 * What every admin call passes first: the address's budget, then the token.
 *
 * The count is kept by address alone. The host's MAX_REQUESTS count keys a
 * request that names a client (`?client_id=`) by address and client, so a
 * caller guessing tokens could spend a fresh budget per made-up client id;
 * here it cannot. The budget is spent before the token is compared, so a
 * guess past the limit learns nothing (RFC 6750 §5.2: bound guessing).
 */
export function createAdminGate(options: AdminGateOptions): AdminGate {
  const matchesToken = secretMatcher(options.token);
  const { observe } = options;
  return async (req, res) => {
    const decision = await options.limiter.consume(clientAddressOf(req, options.trustForwarded));
    writeRateLimitHeaders(res, decision);
    if (!decision.allowed) {
      observe({ type: 'rate_limit.rejected', limiter: 'address', request: req });
      sendOAuthError(
        res,
        new OAuthError('rate_limited', 'too many admin requests; slow down and retry later'),
      );
      return false;
    }
    const credential = readBearerCredential(req.headers.authorization);
    if (credential.kind === 'token' && matchesToken(credential.token)) return true;
    const missing = credential.kind === 'missing' || credential.kind === 'other_scheme';
    observe({ type: 'admin.refused', reason: missing ? 'missing_token' : 'wrong_token', request: req });
    // RFC 6750 §3.1: the challenge names no error when no bearer token was sent.
    const challenge = buildBearerChallenge(
      missing ? { realm: REALM } : { realm: REALM, error: 'invalid_token' },
    );
    const description = missing
      ? 'the admin API needs the bearer token set in MCP_AUTH_PROXY_ADMIN_TOKEN'
      : 'the bearer token is not the admin token';
    sendOAuthError(res, new OAuthError('invalid_token', description), { 'www-authenticate': challenge });
    return false;
  };
}
