import type { KeyValueStore } from '../store/key-value-store.ts';
import type { Clock } from '../shared/clock.ts';
import { nowSeconds } from '../shared/clock.ts';
import { open, seal } from '../shared/crypto.ts';
import type { Logger } from '../shared/logger.ts';
import { ignoreEvents, type Observe } from '../observability/index.ts';
import { OAuthError } from '../oauth/oauth-error.ts';
import { DependencyUnavailableError } from '../http-kit/dependency-unavailable-error.ts';

/** The user's tokens at the upstream IdP, as kept for one grant. */
export interface UpstreamTokenSet {
  readonly accessToken: string;
  readonly refreshToken?: string | undefined;
  readonly tokenType?: string | undefined;
  readonly scope?: string | undefined;
  /** Epoch seconds; undefined when the IdP did not say (GitHub OAuth apps). */
  readonly expiresAt?: number | undefined;
  readonly userId: string;
  /** Provider extras worth keeping (Salesforce instance_url, Heroku session_nonce, ...). */
  readonly extras?: Readonly<Record<string, unknown>> | undefined;
  /**
   * Who the user is, as the access rules read it (src/policy `serializeIdentity`): built at
   * sign-in, rebuilt when a refresh brings a new id_token. Sealed with the tokens: it is personal data.
   */
  readonly identity?: string | undefined;
}

/** How the IdP client reports a failed refresh. */
export interface RefreshFailure {
  /** True when the IdP refused the refresh token for good (`invalid_grant`): the grant is dead. */
  readonly rejected: boolean;
}

export interface UpstreamTokenVaultOptions {
  store: KeyValueStore;
  encryptionKey: Buffer;
  /** How long a grant's tokens are kept (the grant's own lifetime). */
  ttlSeconds: number;
  /**
   * Asks the IdP for new tokens, given the grant's current record (its user, its identity). A new
   * `identity` replaces the kept one; without one, the kept one stays. A thrown error with
   * `rejected: true` revokes the grant; any other failure (network, timeout, 5xx, the IdP refusing
   * our own client) revokes nothing and is a 503.
   */
  refreshAtIdp: (
    refreshToken: string,
    current: UpstreamTokenSet,
  ) => Promise<Omit<UpstreamTokenSet, 'userId'> & { userId?: string | undefined }>;
  /**
   * Revokes the grant (and every token of it) when the IdP refuses the refresh token for good;
   * resolves to the client the grant was for.
   */
  revokeGrant: (grantId: string) => Promise<string | undefined>;
  clock: Clock;
  /** Told of each refresh's outcome and of grants revoked because the IdP refused (metrics, audit). */
  observe?: Observe | undefined;
  logger: Logger;
}

const KEY_PREFIX = 'upstream-tokens:';
const LOCK_PREFIX = 'lock:upstream-refresh:';
/** Another instance holding the refresh lock is waited for this long before giving up with 503. */
const REFRESH_LOCK_TTL_MS = 15_000;
const LOCK_POLL_INTERVAL_MS = 100;
/** Refresh proactively when the upstream token expires within this many seconds. */
const UPSTREAM_REFRESH_SKEW_SECONDS = 30;

/**
 * Keeps each grant's upstream tokens sealed with AES-256-GCM (associated data:
 * the grant id) and refreshes them with single flight: one refresh per grant at
 * a time in this process (a shared promise) and across instances (a lock in the
 * store; the others wait for the winner's result).
 */
export class UpstreamTokenVault {
  readonly #options: UpstreamTokenVaultOptions;
  readonly #inFlight = new Map<string, Promise<string>>();

  readonly #observe: Observe;

  constructor(options: UpstreamTokenVaultOptions) {
    this.#options = options;
    this.#observe = options.observe ?? ignoreEvents;
  }

  async save(grantId: string, tokens: UpstreamTokenSet): Promise<void> {
    const sealed = seal(this.#options.encryptionKey, JSON.stringify(tokens), grantId);
    await this.#options.store.set(KEY_PREFIX + grantId, sealed, { ttlMs: this.#options.ttlSeconds * 1000 });
  }

  async read(grantId: string): Promise<UpstreamTokenSet | undefined> {
    const sealed = await this.#options.store.get(KEY_PREFIX + grantId);
    if (sealed === undefined) return undefined;
    try {
      return JSON.parse(open(this.#options.encryptionKey, sealed, grantId)) as UpstreamTokenSet;
    } catch (error) {
      // A record sealed with another key (key rotated without migration) is as good as absent.
      this.#options.logger.warn(
        { event: 'vault.unreadable_record', grantId, err: error },
        'vault.unreadable_record',
      );
      return undefined;
    }
  }

  async remove(grantId: string): Promise<void> {
    await this.#options.store.delete(KEY_PREFIX + grantId);
  }

  /** The access token to send upstream now; refreshed first when it is known to be expiring. */
  async current(grantId: string): Promise<string | undefined> {
    const tokens = await this.read(grantId);
    if (tokens === undefined) return undefined;
    const refreshable = tokens.refreshToken !== undefined;
    return isExpiring({ expiresAt: tokens.expiresAt, refreshable }, nowSeconds(this.#options.clock))
      ? await this.refresh(grantId, tokens.accessToken)
      : tokens.accessToken;
  }

  /**
   * Refreshes after the MCP server refused `rejectedToken`. When the vault
   * already holds a newer token (another request or instance refreshed
   * meanwhile), that token is returned without calling the IdP.
   */
  async refresh(grantId: string, rejectedToken: string): Promise<string> {
    const pending = this.#inFlight.get(grantId);
    if (pending !== undefined) {
      this.#observe({ type: 'upstream.refresh', outcome: 'joined' });
      return await pending;
    }
    const attempt = this.#refreshAcrossInstances(grantId, rejectedToken).finally(() => {
      this.#inFlight.delete(grantId);
    });
    this.#inFlight.set(grantId, attempt);
    return await attempt;
  }

  async #refreshAcrossInstances(grantId: string, rejectedToken: string): Promise<string> {
    const { store, clock } = this.#options;
    const lockKey = LOCK_PREFIX + grantId;
    const deadlineMs = clock.nowMs() + REFRESH_LOCK_TTL_MS;
    for (;;) {
      const tokens = await this.read(grantId);
      if (tokens === undefined)
        throw new OAuthError('invalid_token', 'the grant has no upstream tokens any more');
      if (tokens.accessToken !== rejectedToken) {
        // Another instance refreshed meanwhile: this request rides on its result.
        this.#observe({ type: 'upstream.refresh', outcome: 'joined' });
        return tokens.accessToken;
      }
      if (await store.setIfAbsent(lockKey, String(process.pid), { ttlMs: REFRESH_LOCK_TTL_MS })) {
        try {
          return await this.#refreshNow(grantId, tokens);
        } finally {
          await store.delete(lockKey).catch(() => undefined);
        }
      }
      if (clock.nowMs() >= deadlineMs) {
        throw new DependencyUnavailableError(
          'identity_provider',
          'another refresh of this grant did not finish in time',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_INTERVAL_MS));
    }
  }

  async #refreshNow(grantId: string, tokens: UpstreamTokenSet): Promise<string> {
    const { logger } = this.#options;
    if (tokens.refreshToken === undefined) {
      await this.#revoke(grantId, 'no_refresh_token');
      throw new OAuthError(
        'invalid_grant',
        'the upstream token expired and cannot be refreshed; sign in again',
      );
    }
    let refreshed: Awaited<ReturnType<UpstreamTokenVaultOptions['refreshAtIdp']>>;
    try {
      refreshed = await this.#options.refreshAtIdp(tokens.refreshToken, tokens);
    } catch (error) {
      if ((error as Partial<RefreshFailure>).rejected === true) {
        this.#observe({ type: 'upstream.refresh', outcome: 'refused' });
        await this.#revoke(grantId, 'refresh_refused');
        throw new OAuthError(
          'invalid_grant',
          'the identity provider refused to refresh the sign-in; sign in again',
          {
            cause: error,
          },
        );
      }
      this.#observe({ type: 'upstream.refresh', outcome: 'failed' });
      logger.warn(
        {
          event: 'proxy.upstream_refresh_failed',
          grantId,
          reason: (error as { failure?: string }).failure ?? 'unknown',
        },
        'proxy.upstream_refresh_failed',
      );
      throw new DependencyUnavailableError(
        'identity_provider',
        'the identity provider did not answer the refresh',
        error,
      );
    }
    await this.save(grantId, {
      ...tokens,
      ...definedOnly(refreshed),
      // Many IdPs do not rotate refresh tokens: keep the old one when none came back.
      refreshToken: refreshed.refreshToken ?? tokens.refreshToken,
      userId: tokens.userId,
    });
    logger.info({ event: 'proxy.upstream_refreshed', grantId }, 'proxy.upstream_refreshed');
    this.#observe({ type: 'upstream.refresh', outcome: 'refreshed' });
    return refreshed.accessToken;
  }

  async #revoke(grantId: string, reason: string): Promise<void> {
    this.#options.logger.info({ event: 'proxy.grant_revoked', grantId, reason }, 'proxy.grant_revoked');
    const userId = (await this.read(grantId).catch(() => undefined))?.userId;
    await this.remove(grantId);
    const clientId = await this.#options.revokeGrant(grantId);
    this.#observe({
      type: 'grant.revoked',
      by: 'refresh_refused',
      grantId,
      accountId: userId,
      clientId,
      request: undefined,
    });
  }
}

/**
 * Whether current() refreshes these tokens before sending them: they expire
 * within the skew and can be refreshed. Also used by caches in front of the
 * vault, so that a cached token is never sent past the point the vault would refresh it.
 */
export function isExpiring(
  tokens: { readonly expiresAt?: number | undefined; readonly refreshable: boolean },
  atSeconds: number,
): boolean {
  return (
    tokens.expiresAt !== undefined &&
    tokens.refreshable &&
    tokens.expiresAt - UPSTREAM_REFRESH_SKEW_SECONDS <= atSeconds
  );
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
