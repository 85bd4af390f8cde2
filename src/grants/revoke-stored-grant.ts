import { encodeInvalidation } from '../access-cache/index.ts';
import type { StoreConfig } from '../config/index.ts';
import { systemClock } from '../shared/clock.ts';
import { silentLogger } from '../shared/logger.ts';
import {
  createOidcAdapterFactory,
  openInvalidationBus,
  type InvalidationBus,
  type KeyValueStore,
} from '../store/index.ts';

/** The sealed IdP tokens of a grant, written by src/upstream-token-vault (storage-schema.md). */
const UPSTREAM_TOKENS_PREFIX = 'upstream-tokens:';

/**
 * Revokes one grant from a process that runs no authorization server (the
 * `grants revoke` command), as the proxy does when the IdP refuses a refresh:
 * the Grant record, every token issued under it (the adapter's per-grant
 * index), and the user's sealed IdP tokens. True when the grant existed.
 * Running instances serve token checks from memory, so the caller must then
 * announce the revocation on the invalidation bus ({@link announceGrantsRevoked}).
 * The running proxy revokes through its authorization server instead, whose
 * adapter announces by itself (src/access-cache/revocation-watching-adapter.ts).
 */
export async function revokeGrant(store: KeyValueStore, grantId: string): Promise<boolean> {
  const adapters = createOidcAdapterFactory(store);
  const grants = adapters('Grant');
  const existed = (await grants.find(grantId)) !== undefined;
  await grants.destroy(grantId);
  await adapters('AccessToken').revokeByGrantId(grantId);
  await store.delete(UPSTREAM_TOKENS_PREFIX + grantId);
  return existed;
}

/**
 * Tells every instance sharing the store to forget what it cached of these
 * grants (the message the proxy's own revocations send, src/access-cache).
 * False when the bus could not be reached: instances then notice only when
 * their cache entries expire.
 */
export async function announceGrantsRevoked(
  store: KeyValueStore,
  config: StoreConfig,
  grantIds: readonly string[],
): Promise<boolean> {
  let bus: InvalidationBus | undefined;
  try {
    bus = await openInvalidationBus(config, { store, clock: systemClock, logger: silentLogger });
    for (const grantId of grantIds) await bus.publish(encodeInvalidation({ kind: 'grant', grantId }));
    return true;
  } catch {
    return false;
  } finally {
    await bus?.close();
  }
}
