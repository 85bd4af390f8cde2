import type { Observe, ObservedEvent } from '../observability/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { KeyValueStore } from '../store/index.ts';

/** `grant-last-used:<grantId>`: epoch ms of the grant's last token issuance (docs/storage-schema.md). */
const LAST_USED_PREFIX = 'grant-last-used:';
/** `grant-client-name:<grantId>`: the name a client ID metadata document gave at sign-in. */
const CLIENT_NAME_PREFIX = 'grant-client-name:';
/**
 * One write per grant per this long on each instance: a sign-in's code exchange
 * and a client's refresh storm write once. Small beside the access-token
 * lifetime, which sets the precision anyway.
 */
export const LAST_USED_THROTTLE_MS = 60_000;
/** The throttle remembers this many grants; past it, the oldest may write again early. */
const MAX_THROTTLED_GRANTS = 10_000;

export interface GrantActivityOptions {
  readonly store: KeyValueStore;
  /** A grant's lifetime from its sign-in (MCP_AUTH_PROXY_REFRESH_TOKEN_TTL_SECONDS): the records end with it. */
  readonly grantTtlSeconds: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface GrantActivity {
  /** The observer that records (build-app.ts adds it to the proxy's observers). */
  readonly observe: Observe;
  lastUsedMs(grantId: string): Promise<number | undefined>;
  /** What a client ID metadata document client was called when the grant was made. */
  publishedClientName(grantId: string): Promise<string | undefined>;
  forget(grantId: string): Promise<void>;
}

/**
 * "Last used" for the connected-apps page, kept off the MCP hot path: the MCP
 * endpoint serves token checks from memory and records nothing. Each token
 * issuance (`token.issued`: the sign-in's code exchange, then each refresh,
 * which a client in use makes at least once per access-token lifetime) writes
 * the time, throttled per grant, after the answer and without waiting. The
 * time is thus right to within the access-token lifetime.
 *
 * oidc-provider keeps a client ID metadata document in memory only, and
 * fetching it again for the page would count as a registration; the name it
 * had at sign-in (`signin.succeeded`) is kept with the grant instead.
 */
export function createGrantActivity(options: GrantActivityOptions): GrantActivity {
  const { store, clock, logger } = options;
  const ttlMs = options.grantTtlSeconds * 1000;
  const lastWrittenMs = new Map<string, number>();

  const write = (key: string, value: string): void => {
    // An observer never throws and never blocks (src/observability): the write settles on its own.
    store.set(key, value, { ttlMs }).catch((error: unknown) => {
      logger.warn({ event: 'account.activity_write_failed', err: error }, 'account.activity_write_failed');
    });
  };

  const recordUse = (grantId: string): void => {
    const nowMs = clock.nowMs();
    const last = lastWrittenMs.get(grantId);
    if (last !== undefined && nowMs - last < LAST_USED_THROTTLE_MS) return;
    lastWrittenMs.delete(grantId);
    lastWrittenMs.set(grantId, nowMs);
    if (lastWrittenMs.size > MAX_THROTTLED_GRANTS) {
      const oldest = lastWrittenMs.keys().next();
      if (oldest.done !== true) lastWrittenMs.delete(oldest.value);
    }
    write(LAST_USED_PREFIX + grantId, String(nowMs));
  };

  const observe = (event: ObservedEvent): void => {
    if (event.type === 'token.issued' && event.grantId !== undefined) recordUse(event.grantId);
    if (
      event.type === 'signin.succeeded' &&
      event.clientId.startsWith('https://') &&
      event.clientName !== undefined
    ) {
      write(CLIENT_NAME_PREFIX + event.grantId, event.clientName);
    }
  };

  return {
    observe,
    async lastUsedMs(grantId) {
      const value = await store.get(LAST_USED_PREFIX + grantId);
      const ms = value === undefined ? Number.NaN : Number(value);
      return Number.isFinite(ms) ? ms : undefined;
    },
    publishedClientName: (grantId) => store.get(CLIENT_NAME_PREFIX + grantId),
    async forget(grantId) {
      lastWrittenMs.delete(grantId);
      await store.delete(LAST_USED_PREFIX + grantId, CLIENT_NAME_PREFIX + grantId);
    },
  };
}
