import type { Adapter } from 'oidc-provider';

/**
 * An adapter that does what `adapter` does, except for the methods in
 * `overrides`: the shape of the policies built at oidc-provider's adapter seam
 * (refresh-token grace, step-up refresh refusal), so each states only what it
 * changes.
 */
export function overrideAdapter(adapter: Adapter, overrides: Partial<Adapter>): Adapter {
  return {
    upsert: (id, payload, expiresIn) => adapter.upsert(id, payload, expiresIn),
    find: (id) => adapter.find(id),
    findByUid: (uid) => adapter.findByUid(uid),
    findByUserCode: (userCode) => adapter.findByUserCode(userCode),
    consume: (id) => adapter.consume(id),
    destroy: (id) => adapter.destroy(id),
    revokeByGrantId: (grantId) => adapter.revokeByGrantId(grantId),
    ...overrides,
  };
}
