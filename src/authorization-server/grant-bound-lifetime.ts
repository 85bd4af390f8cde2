import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Clock } from '../shared/clock.ts';

/**
 * A token lifetime for oidc-provider's documented `ttl.AccessToken` and `ttl.RefreshToken`
 * functions, `(ctx, token, client) => seconds`: the configured lifetime, or what is left of the
 * grant the token is issued under, whichever ends first.
 *
 * oidc-provider never extends a Grant on refresh: it lives `ttl.Grant` from the sign-in. With a
 * fixed TTL, a refresh token issued on the grant's last day would live 14 more days, though the
 * grant refuses it from its end on (and an access token its hour past the grant). Each rotation
 * left such a record, which made refresh-token history the bulk of Redis memory
 * (docs/scaling.md). Every token endpoint grant that issues tokens under a grant (authorization
 * code, refresh token, device code) puts that Grant on the context before it saves them; without
 * one (no grant) the configured lifetime applies.
 *
 * The grant's `exp` is in epoch seconds; the clock is the one the store expires records on.
 * oidc-provider asks for a positive integer, and a grant it still accepts has at least a second.
 */
export function lifetimeWithinGrant(
  configuredSeconds: number,
  clock: Clock,
): (ctx: KoaContextWithOIDC | undefined) => number {
  return (ctx) => {
    const grantExpiresAtSeconds = ctx?.oidc?.entities.Grant?.exp;
    if (grantExpiresAtSeconds === undefined) return configuredSeconds;
    const grantLeftSeconds = Math.floor((grantExpiresAtSeconds * 1000 - clock.nowMs()) / 1000);
    return Math.max(1, Math.min(configuredSeconds, grantLeftSeconds));
  };
}
