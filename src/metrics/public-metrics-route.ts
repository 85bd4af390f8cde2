import type { IncomingMessage } from 'node:http';
import { requestProtocolOf } from '../http-kit/request-context.ts';
import { sendOAuthError } from '../http-kit/respond.ts';
import type { Route } from '../http-kit/router.ts';
import { OAuthError } from '../oauth/oauth-error.ts';
import { secretMatcher } from '../shared/crypto.ts';
import { buildBearerChallenge } from '../oauth/www-authenticate.ts';
import { sendMetrics, type Exposition } from './send-metrics.ts';

export const METRICS_PATH = '/metrics';
const REALM = 'metrics';

/** The bearer token of an `Authorization: Bearer …` header (RFC 6750 §2.1; the scheme is case-insensitive). */
function bearerTokenOf(req: IncomingMessage): string | undefined {
  const match = /^Bearer +([^\s]+) *$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/**
 * GET /metrics on the public port, for platforms that route one port
 * (Heroku), to a scraper that sends MCP_AUTH_PROXY_METRICS_TOKEN as a bearer
 * token, compared in constant time (secretMatcher). Behind a TLS router the
 * token must arrive over https (RFC 6750 §5.3): a plain-http scrape is
 * refused, never answered.
 */
export function createPublicMetricsRoute(options: {
  readonly token: string;
  readonly exposition: Exposition;
  readonly trustForwarded: boolean;
}): Route {
  const matchesToken = secretMatcher(options.token);
  return {
    methods: ['GET', 'HEAD'],
    path: METRICS_PATH,
    handle: async (req, res) => {
      if (options.trustForwarded && requestProtocolOf(req, true) !== 'https') {
        return sendOAuthError(res, new OAuthError('invalid_request', 'GET /metrics only over https'));
      }
      const presented = bearerTokenOf(req);
      if (presented === undefined || !matchesToken(presented)) {
        // RFC 6750 §3.1: no error code in the challenge when no credentials were sent.
        const challenge = buildBearerChallenge(
          presented === undefined ? { realm: REALM } : { realm: REALM, error: 'invalid_token' },
        );
        const description =
          presented === undefined
            ? 'GET /metrics needs the bearer token set in MCP_AUTH_PROXY_METRICS_TOKEN'
            : 'the bearer token is not the metrics token';
        return sendOAuthError(res, new OAuthError('invalid_token', description), {
          'www-authenticate': challenge,
        });
      }
      await sendMetrics(req, res, options.exposition);
    },
  };
}
