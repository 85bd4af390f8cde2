import type { KeyValueStore } from './key-value-store.ts';

/**
 * Sizes at which a `grant:<id>` set is checked, and the least it is pruned to.
 * Below the first checkpoint a set is never read back before revocation.
 */
export const GRANT_SET_FIRST_CHECKPOINT_MEMBERS = 32;
const GRANT_SET_FLOOR_MEMBERS = GRANT_SET_FIRST_CHECKPOINT_MEMBERS / 2;

/** True when an add that left the set with `size` members should check it: a power of two from 32 on. */
export function isGrantSetCheckpoint(size: number): boolean {
  return size >= GRANT_SET_FIRST_CHECKPOINT_MEMBERS && Number.isInteger(size) && (size & (size - 1)) === 0;
}

/** The smallest power of two at least `liveMembers` (and at least the floor). */
function keptSizeFor(liveMembers: number): number {
  let kept = GRANT_SET_FLOOR_MEMBERS;
  while (kept < liveMembers) kept *= 2;
  return kept;
}

/**
 * Drops members whose records are gone (expired, consumed past the reuse-detection window,
 * destroyed) from a grant's set, called when an add brought it to a checkpoint.
 *
 * Every member is one record key, and on a cluster each lives in its own hash slot, so liveness
 * is read member by member (one GET each, sent together) from here, never by a script. That read
 * is the cost; it is kept at most two GETs per token issued, amortized, by checking only at
 * powers of two and by pruning down to a power of two rather than to the live count: the set is
 * left at the smallest power of two p ≥ max(live, 16), padded with dead members where needed,
 * so the next check comes at 2p, after p more adds, and costs 2p reads. Between checks the set
 * holds fewer than 2p members: fewer than four times the live tokens at the last check, and fewer
 * than 32 while a grant has at most 16, instead of every key ever issued under the grant.
 *
 * A member is only ever removed when its record was missing, and the adapter adds a member only
 * once its record is written, so a token being issued concurrently is never dropped: what
 * revokeByGrantId must find stays listed.
 */
export async function pruneGrantSet(store: KeyValueStore, setKey: string): Promise<void> {
  const members = await store.members(setKey);
  const records = await Promise.all(members.map((member) => store.get(member)));
  const gone = members.filter((_member, index) => records[index] === undefined);
  const surplus = members.length - keptSizeFor(members.length - gone.length);
  if (surplus > 0) await store.removeFromSet(setKey, ...gone.slice(0, surplus));
}
