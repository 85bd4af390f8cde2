import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';

/** What one decorator changes at oidc-provider's adapter seam; everything else passes through. */
export interface AdapterHooks {
  /**
   * The methods that replace the inner adapter's for one model, each free to
   * call `inner`. Undefined leaves that model's adapter as it is, with no
   * extra call on its path.
   */
  readonly override?: (inner: Adapter, modelName: string) => Partial<Adapter> | undefined;
  /** The error to reject with instead of the one any method rejected with. */
  readonly translateError?: (error: unknown, modelName: string) => unknown;
}

/**
 * An adapter factory that does what `factory` does, changed only where
 * `hooks` say. The policies built at oidc-provider's public adapter seam
 * (refresh-token grace, step-up refresh refusal, revocation announcements,
 * the store's errors in oidc-provider's terms) each state only what they
 * change, and the seven methods are forwarded here and nowhere else.
 */
export function decorateAdapter(factory: AdapterFactory, hooks: AdapterHooks): AdapterFactory {
  const { override, translateError } = hooks;
  return (modelName) => {
    const inner = factory(modelName);
    const replaced = override?.(inner, modelName);
    if (replaced === undefined && translateError === undefined) return inner;
    const adapter = replaced === undefined ? inner : { ...forwardTo(inner), ...replaced };
    return translateError === undefined
      ? adapter
      : translateErrors(adapter, (error) => translateError(error, modelName));
  };
}

/** Calls through to `inner` (a spread would lose methods defined on a class prototype). */
function forwardTo(inner: Adapter): Adapter {
  return {
    upsert: (id, payload, expiresIn) => inner.upsert(id, payload, expiresIn),
    find: (id) => inner.find(id),
    findByUid: (uid) => inner.findByUid(uid),
    findByUserCode: (userCode) => inner.findByUserCode(userCode),
    consume: (id) => inner.consume(id),
    destroy: (id) => inner.destroy(id),
    revokeByGrantId: (grantId) => inner.revokeByGrantId(grantId),
  };
}

function translateErrors(adapter: Adapter, translate: (error: unknown) => unknown): Adapter {
  // Awaited inside the try, so that a method that throws rather than rejects is translated too.
  const guarded =
    <Args extends unknown[], Result>(call: (...args: Args) => Promise<Result>) =>
    async (...args: Args): Promise<Result> => {
      try {
        return await call(...args);
      } catch (error) {
        throw translate(error);
      }
    };
  return {
    upsert: guarded((id: string, payload: AdapterPayload, expiresIn?: number) =>
      adapter.upsert(id, payload, expiresIn),
    ),
    find: guarded((id: string) => adapter.find(id)),
    findByUid: guarded((uid: string) => adapter.findByUid(uid)),
    findByUserCode: guarded((userCode: string) => adapter.findByUserCode(userCode)),
    consume: guarded((id: string) => adapter.consume(id)),
    destroy: guarded((id: string) => adapter.destroy(id)),
    revokeByGrantId: guarded((grantId: string) => adapter.revokeByGrantId(grantId)),
  };
}
