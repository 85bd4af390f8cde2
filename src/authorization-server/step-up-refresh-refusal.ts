import Provider, { type AdapterFactory } from 'oidc-provider';
import type { Logger } from '../shared/logger.ts';
import { decorateAdapter } from '../store/index.ts';
import {
  findResource,
  indicatorsOf,
  type ProtectedResource,
  type ProtectedResources,
} from './protected-resources.ts';

/**
 * How long after a step-up challenge the grant's next refresh is refused. MCP
 * SDK 1.x clients refresh within a second or two of the 403; a client that
 * steps up properly (SDK 2.x, SEP-2350) re-authorizes without refreshing, and
 * its next refresh comes when its access token expires, long after this.
 */
export const STEP_UP_REFRESH_REFUSAL_WINDOW_MS = 60_000;

const KEY_PREFIX = 'step-up-pending:';

/** The part of the key-value store this needs (style.md rule 9: the consumer owns its port). */
export interface PendingStepUpStore {
  set(key: string, value: string, options?: { ttlMs?: number }): Promise<void>;
  take(key: string): Promise<string | undefined>;
}

/**
 * Grants whose client was just told to step up, per MCP server (by its id): a
 * grant may hold scopes for several, and only a refresh for the server that
 * challenged is refused. Shared by every instance through the store.
 */
export interface PendingStepUps {
  /** The MCP server `serverId` challenged this grant's token for scopes it lacks. */
  readonly record: (grantId: string, serverId: string) => Promise<void>;
  /** Whether a challenge is pending for the grant at that server; answers true once per challenge. */
  readonly take: (grantId: string, serverId: string) => Promise<boolean>;
}

export function createPendingStepUps(store: PendingStepUpStore): PendingStepUps {
  const keyOf = (grantId: string, serverId: string) => `${KEY_PREFIX}${grantId}:${serverId}`;
  return {
    record: (grantId, serverId) =>
      store.set(keyOf(grantId, serverId), '1', { ttlMs: STEP_UP_REFRESH_REFUSAL_WINDOW_MS }),
    take: async (grantId, serverId) => (await store.take(keyOf(grantId, serverId))) !== undefined,
  };
}

/**
 * Makes step-up work for MCP SDK 1.x clients (typescript-sdk#2255; Claude
 * Code reported the same). On a 403 `insufficient_scope` they refresh their
 * token, which can never widen a grant (RFC 6749 §6), retry, get the same
 * 403, and give up. Refusing that one refresh with `invalid_grant` is what
 * sends them the right way: the SDK drops its tokens on `invalid_grant` and
 * authorizes again, with the scopes the challenge named.
 *
 * Built at oidc-provider's public adapter seam, as the refresh-token grace
 * is: a refresh token whose grant has a pending step-up reads as not found
 * once (oidc-provider answers `invalid_grant`). Nothing is revoked or
 * consumed, so the grant and the refresh token stay as they were, and a
 * client that does not follow up can refresh normally afterwards. Only the
 * token endpoint is refused: a revocation (a client signing out after the
 * 403) must find the token, or it would answer 200 and revoke nothing. And
 * only a refresh for the server that challenged: the one the request names,
 * else the one oidc-provider will pick (resource-indicators.ts: the first
 * granted).
 */
export function withStepUpRefreshRefusal(
  factory: AdapterFactory,
  pending: PendingStepUps,
  resources: ProtectedResources,
  logger: Logger,
): AdapterFactory {
  return decorateAdapter(factory, {
    override(adapter, modelName) {
      if (modelName !== 'RefreshToken') return undefined;
      return {
        async find(id) {
          const payload = await adapter.find(id);
          // oidc-provider's public Provider.ctx: the request this lookup serves.
          const ctx = Provider.ctx;
          if (ctx?.oidc?.route !== 'token' || typeof payload?.grantId !== 'string') return payload;
          const asked = (ctx.oidc.params as { resource?: unknown } | undefined)?.resource;
          const serverId = refreshTarget(resources, asked, payload.resource)?.id;
          if (serverId === undefined || !(await pending.take(payload.grantId, serverId))) return payload;
          logger.info(
            {
              event: 'oauth.refresh_refused_for_step_up',
              grantId: payload.grantId,
              clientId: payload.clientId,
              server: serverId,
            },
            'oauth.refresh_refused_for_step_up',
          );
          return undefined;
        },
      };
    },
  });
}

/** The server a refresh is for: the `resource` it names, else the first its token was granted for. */
function refreshTarget(
  resources: ProtectedResources,
  asked: unknown,
  granted: unknown,
): ProtectedResource | undefined {
  const named = indicatorsOf(asked);
  // Several are refused by oidc-provider anyway (one audience per token).
  if (named.length > 1) return undefined;
  const indicator = named[0] ?? indicatorsOf(granted)[0];
  return indicator === undefined ? resources[0] : findResource(resources, indicator);
}
