import type { Adapter, AdapterFactory } from 'oidc-provider';
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
  return (modelName) => {
    const adapter = factory(modelName);
    const wrapped: Adapter = {
      upsert: (id, payload, expiresIn) => adapter.upsert(id, payload, expiresIn),
      find: (id) => adapter.find(id),
      findByUserCode: (userCode) => adapter.findByUserCode(userCode),
      findByUid: (uid) => adapter.findByUid(uid),
      consume: (id) => adapter.consume(id),
      async destroy(id) {
        await adapter.destroy(id);
        if (modelName === 'AccessToken')
          await state.announce({ kind: 'token', tokenKey: accessTokenKey(id) });
        if (modelName === 'Grant') await state.announce({ kind: 'grant', grantId: id });
      },
      async revokeByGrantId(grantId) {
        await adapter.revokeByGrantId(grantId);
        // oidc-provider calls this once per token model; only the access tokens' call concerns the cache.
        if (modelName === 'AccessToken') await state.announce({ kind: 'grant', grantId });
      },
    };
    return wrapped;
  };
}
