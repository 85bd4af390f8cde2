import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Clock } from '../shared/clock.ts';
import { sha256Base64Url } from '../shared/crypto.ts';
import { DEVICE_CODE_GRANT_TYPE } from './device-flow.ts';

/** RFC 8628 §3.2: the minimum time between polls; 5 seconds is the RFC's default. */
export const DEVICE_POLL_INTERVAL_SECONDS = 5;
/** RFC 8628 §3.5: each `slow_down` adds 5 seconds to the interval, for this and every later poll. */
const SLOW_DOWN_STEP_SECONDS = 5;
/** How long after its expiry a device code is still recognised, to answer `expired_token`. */
const EXPIRED_CODE_MEMORY_MS = 60 * 60 * 1000;
const KEY_PREFIX = 'device-poll:';

/** The part of the key-value store this needs (style.md rule 9). */
export interface DevicePollStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, options?: { ttlMs?: number }): Promise<void>;
}

interface PollRecord {
  expiresAtMs: number;
  intervalSeconds: number;
  lastPollMs?: number | undefined;
}

/**
 * The polling rules of RFC 8628 §3.5 that oidc-provider leaves out, as
 * post-processing middleware (`provider.use`, after oidc-provider answered):
 *
 * - the device authorization response gets `interval`;
 * - `authorization_pending` sooner than the interval after the previous poll
 *   becomes `slow_down`, and the interval grows by 5 seconds;
 * - a device code the store has already dropped for age answers
 *   `expired_token`, not `invalid_grant` (the adapter keeps records only for
 *   their lifetime, so oidc-provider can no longer tell expired from unknown).
 *
 * Only answers with no effect are rewritten: tokens and `access_denied` go
 * out as oidc-provider decided. Each code has one record, keyed by its hash,
 * never the code. The read-then-write is not atomic across instances: two
 * racing polls may both pass, which only loosens the pacing.
 */
export function enforceDevicePolling(options: { store: DevicePollStore; clock: Clock }) {
  const { store, clock } = options;
  const keyOf = (deviceCode: string) => KEY_PREFIX + sha256Base64Url(deviceCode);
  const save = (key: string, record: PollRecord) =>
    store.set(key, JSON.stringify(record), {
      ttlMs: Math.max(record.expiresAtMs - clock.nowMs(), 0) + EXPIRED_CODE_MEMORY_MS,
    });

  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    const route = ctx.oidc?.route;
    if (route === 'device_authorization' && ctx.status === 200 && isRecord(ctx.body)) {
      const { device_code: deviceCode, expires_in: expiresInSeconds } = ctx.body;
      if (typeof deviceCode !== 'string' || typeof expiresInSeconds !== 'number') return;
      await save(keyOf(deviceCode), {
        expiresAtMs: clock.nowMs() + expiresInSeconds * 1000,
        intervalSeconds: DEVICE_POLL_INTERVAL_SECONDS,
      });
      ctx.body = { ...ctx.body, interval: DEVICE_POLL_INTERVAL_SECONDS };
      return;
    }

    if (route !== 'token' || ctx.status !== 400 || !isRecord(ctx.body)) return;
    const params = ctx.oidc.params as { grant_type?: unknown; device_code?: unknown } | undefined;
    if (params?.grant_type !== DEVICE_CODE_GRANT_TYPE || typeof params.device_code !== 'string') return;
    const error = ctx.body['error'];
    if (error !== 'authorization_pending' && error !== 'invalid_grant') return;
    const key = keyOf(params.device_code);
    const record = parseRecord(await store.get(key));
    if (record === undefined) return;
    const nowMs = clock.nowMs();

    if (error === 'invalid_grant') {
      if (nowMs >= record.expiresAtMs) {
        ctx.body = {
          error: 'expired_token',
          error_description: 'the device code has expired; start the device authorization again',
        };
      }
      return;
    }

    const tooSoon =
      record.lastPollMs !== undefined && nowMs - record.lastPollMs < record.intervalSeconds * 1000;
    const intervalSeconds = record.intervalSeconds + (tooSoon ? SLOW_DOWN_STEP_SECONDS : 0);
    await save(key, { ...record, intervalSeconds, lastPollMs: nowMs });
    if (tooSoon) {
      ctx.body = {
        error: 'slow_down',
        error_description: `polling too fast: wait at least ${intervalSeconds} seconds between requests`,
      };
    }
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Buffer.isBuffer(value);
}

function parseRecord(raw: string | undefined): PollRecord | undefined {
  if (raw === undefined) return undefined;
  try {
    const parsed = JSON.parse(raw) as Partial<PollRecord>;
    if (typeof parsed.expiresAtMs !== 'number' || typeof parsed.intervalSeconds !== 'number')
      return undefined;
    return {
      expiresAtMs: parsed.expiresAtMs,
      intervalSeconds: parsed.intervalSeconds,
      lastPollMs: typeof parsed.lastPollMs === 'number' ? parsed.lastPollMs : undefined,
    };
  } catch {
    return undefined;
  }
}
