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
      : forwardTo(
          adapter,
          translating((error) => translateError(error, modelName)),
        );
  };
}

/** What each forwarded call goes through on its way to the inner adapter. */
type Wrap = <Args extends unknown[], Result>(
  call: (...args: Args) => Promise<Result>,
) => (...args: Args) => Promise<Result>;

const AS_IS: Wrap = (call) => call;

/** The seven methods, calling through to `inner` (a spread would lose methods of a class prototype). */
function forwardTo(inner: Adapter, wrap: Wrap = AS_IS): Adapter {
  return {
    upsert: wrap((id: string, payload: AdapterPayload, expiresIn?: number) =>
      inner.upsert(id, payload, expiresIn),
    ),
    find: wrap((id: string) => inner.find(id)),
    findByUid: wrap((uid: string) => inner.findByUid(uid)),
    findByUserCode: wrap((userCode: string) => inner.findByUserCode(userCode)),
    consume: wrap((id: string) => inner.consume(id)),
    destroy: wrap((id: string) => inner.destroy(id)),
    revokeByGrantId: wrap((grantId: string) => inner.revokeByGrantId(grantId)),
  };
}

/** Awaited inside the try, so that a method that throws rather than rejects is translated too. */
function translating(translate: (error: unknown) => unknown): Wrap {
  return (call) =>
    async (...args) => {
      try {
        return await call(...args);
      } catch (error) {
        throw translate(error);
      }
    };
}
