import type { AdapterFactory } from 'oidc-provider';
import { decorateAdapter } from '../store/index.ts';
import type { AccessCacheState } from './access-cache-state.ts';
import { accessTokenKey } from './cached-access-token-verifier.ts';

/**
 * Announces every revocation that passes through oidc-provider's storage seam
 * (its public Adapter interface), whoever caused it: RFC 7009 revocation of an
 * access token (destroy), of a refresh token or a reused refresh token
 * (revokeByGrantId on each model, Grant destroy), and the vault revoking a
 * grant the IdP refused to refresh. Watching the adapter rather than
 * oidc-provider's events also covers calls that emit none
 * (`provider.AccessToken.adapter.revokeByGrantId`).
 *
 * The announcement follows the store write, so an instance that reloads on
 * hearing it reads the revoked state.
 */
export function watchRevocations(factory: AdapterFactory, state: AccessCacheState): AdapterFactory {
  return decorateAdapter(factory, {
    override(inner, modelName) {
      if (modelName === 'AccessToken') {
        return {
          async destroy(id) {
            await inner.destroy(id);
            await state.announce({ kind: 'token', tokenKey: accessTokenKey(id) });
          },
          // oidc-provider calls this once per token model; only the access tokens' call concerns the cache.
          async revokeByGrantId(grantId) {
            await inner.revokeByGrantId(grantId);
            await state.announce({ kind: 'grant', grantId });
          },
        };
      }
      if (modelName === 'Grant') {
        return {
          async destroy(id) {
            await inner.destroy(id);
            await state.announce({ kind: 'grant', grantId: id });
          },
        };
      }
      return undefined;
    },
  });
}
