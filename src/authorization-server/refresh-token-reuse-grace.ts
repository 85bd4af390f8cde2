import type { AdapterFactory, AdapterPayload } from 'oidc-provider';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { Observe } from '../observability/index.ts';
import { CredentialAlreadyConsumedError } from '../oauth/oauth-error.ts';
import { decorateAdapter } from '../store/index.ts';

export interface RefreshTokenReuseGraceOptions {
  /** MCP_AUTH_PROXY_REFRESH_TOKEN_GRACE_SECONDS; 0 leaves the adapter as it is. */
  readonly graceSeconds: number;
  /** The clock the adapter stamps `consumed` with (the same one, or the window drifts). */
  readonly clock: Clock;
  readonly logger: Logger;
  readonly observe: Observe;
}

/**
 * Refresh-token rotation with a grace period, built at oidc-provider's public
 * adapter seam (it is configured, never patched).
 *
 * oidc-provider rotates a public client's refresh token on every use and
 * treats any later use of the old one as theft: the grant and all its tokens
 * are revoked (RFC 9700 §4.14.2). Real clients present the previous token
 * again without being attacked: hosted connectors refresh from two nodes at
 * once (clients.md §5.1), Codex keeps stale generations (§5.8), and a client
 * that lost the refresh response retries. They would all lose the user's
 * grant. RFC 9700 §4.14.2 leaves the detection policy to the server, and
 * OAuth 2.1 §4.3.1 requires rotation, not instant revocation.
 *
 * So, for `RefreshToken` only: while `graceSeconds` have not passed since a
 * token was first consumed, `find` reports it as not consumed. oidc-provider
 * then rotates it once more (a new refresh token in the same grant), and
 * revokes nothing. After the grace period the token reads as consumed again
 * and reuse revokes the grant as before. The store's `consume` keeps the
 * first consumption time and refuses a second one, so presenting the token
 * again never extends the window; inside the window that refusal is let pass.
 */
export function withRefreshTokenReuseGrace(
  factory: AdapterFactory,
  options: RefreshTokenReuseGraceOptions,
): AdapterFactory {
  if (options.graceSeconds <= 0) return factory;
  const graceMs = options.graceSeconds * 1000;
  const { clock, logger, observe } = options;

  const withinGrace = (payload: AdapterPayload): boolean =>
    typeof payload.consumed === 'number' && clock.nowMs() - payload.consumed * 1000 < graceMs;

  return decorateAdapter(factory, {
    override(adapter, modelName) {
      if (modelName !== 'RefreshToken') return undefined;
      return {
        async find(id) {
          const payload = await adapter.find(id);
          if (payload === undefined || !withinGrace(payload)) return payload;
          const unconsumed: AdapterPayload = { ...payload };
          delete unconsumed.consumed;
          return unconsumed;
        },

        async consume(id) {
          try {
            await adapter.consume(id);
          } catch (error) {
            // Spent already, an instant or up to the grace period ago: a sibling rotation, as for a
            // later reuse inside the window. Revoked meanwhile, or past the window: refused.
            if (!(error instanceof CredentialAlreadyConsumedError)) throw error;
            const payload = await adapter.find(id);
            if (payload === undefined || !withinGrace(payload)) throw error;
            logger.info(
              {
                event: 'oauth.refresh_token_reused_within_grace',
                grantId: payload.grantId,
                clientId: payload.clientId,
              },
              'oauth.refresh_token_reused_within_grace',
            );
            observe({
              type: 'token.reused_within_grace',
              grantId: typeof payload.grantId === 'string' ? payload.grantId : undefined,
              clientId: typeof payload.clientId === 'string' ? payload.clientId : undefined,
            });
          }
        },
      };
    },
  });
}
