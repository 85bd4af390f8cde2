import type { IncomingMessage, ServerResponse } from 'node:http';
import { csrfTokenFor } from '../interaction/index.ts';
import type { Clock } from '../shared/clock.ts';
import { constantTimeEqual, randomToken } from '../shared/crypto.ts';
import type { KeyValueStore } from '../store/index.ts';
import { SealedCookie } from './sealed-cookie.ts';

/** A session on the page lasts this long from its sign-in, then the person signs in again. */
export const ACCOUNT_SESSION_SECONDS = 60 * 60;
/** `account-signed-out:<sessionId>`: a session signed out before its end (docs/storage-schema.md). */
const SIGNED_OUT_PREFIX = 'account-signed-out:';

export interface AccountSession {
  readonly accountId: string;
  /** Random: what the CSRF token is bound to, and what sign-out records. */
  readonly sessionId: string;
  readonly expiresAtMs: number;
}

export interface AccountSessionsOptions {
  /** Seals the session cookie (derived from the master key for this page only). */
  readonly sessionKey: Buffer;
  /** Keys the CSRF token of the page's forms. */
  readonly csrfKey: Buffer;
  /** Where the cookie is sent: the page's own path (`/account`), nowhere else. */
  readonly path: string;
  readonly secure: boolean;
  readonly store: KeyValueStore;
  readonly clock: Clock;
}

/**
 * The connected-apps page's own session: who signed in, in a sealed cookie
 * scoped to the page's path, for at most ACCOUNT_SESSION_SECONDS (the end is
 * sealed inside too, since a browser may keep a cookie past its Max-Age).
 * Sign-out removes the cookie and records the session id until the session's
 * end, so a copy of the cookie is refused as well.
 */
export class AccountSessions {
  readonly #options: AccountSessionsOptions;
  readonly #cookie: SealedCookie<AccountSession>;

  constructor(options: AccountSessionsOptions) {
    this.#options = options;
    this.#cookie = new SealedCookie({
      name: 'mcp-account',
      key: options.sessionKey,
      path: options.path,
      secure: options.secure,
      maxAgeSeconds: ACCOUNT_SESSION_SECONDS,
      parse: parseSession,
    });
  }

  start(res: ServerResponse, accountId: string): void {
    const expiresAtMs = this.#options.clock.nowMs() + ACCOUNT_SESSION_SECONDS * 1000;
    this.#cookie.write(res, { accountId, sessionId: randomToken(16), expiresAtMs });
  }

  /** The browser's session, unless there is none, it has ended or it was signed out. */
  async current(req: IncomingMessage): Promise<AccountSession | undefined> {
    const session = this.#cookie.read(req);
    if (session === undefined || session.expiresAtMs <= this.#options.clock.nowMs()) return undefined;
    const signedOut = await this.#options.store.get(SIGNED_OUT_PREFIX + session.sessionId);
    return signedOut === undefined ? session : undefined;
  }

  /** Removes the cookie from the browser. */
  clear(res: ServerResponse): void {
    this.#cookie.clear(res);
  }

  /** Signs out: the cookie goes, and the session is refused until its end even if a copy comes back. */
  async end(res: ServerResponse, session: AccountSession): Promise<void> {
    this.#cookie.clear(res);
    const leftMs = session.expiresAtMs - this.#options.clock.nowMs();
    if (leftMs > 0)
      await this.#options.store.set(SIGNED_OUT_PREFIX + session.sessionId, '1', { ttlMs: leftMs });
  }

  /** The `csrf` field of the page's forms: an HMAC of the session id (src/interaction/csrf.ts). */
  csrfToken(session: AccountSession): string {
    return csrfTokenFor(this.#options.csrfKey, session.sessionId);
  }

  /**
   * Whether a form post carries this session's token. Unlike the confirmation
   * form, no template written for the reference proxy posts here, so the
   * token is required: no Origin-header fallback.
   */
  isCsrfSafe(session: AccountSession, form: URLSearchParams): boolean {
    const token = form.get('csrf');
    return token !== null && constantTimeEqual(token, this.csrfToken(session));
  }
}

function parseSession(value: unknown): AccountSession | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { accountId, sessionId, expiresAtMs } = value as Record<string, unknown>;
  if (typeof accountId !== 'string' || accountId === '') return undefined;
  if (typeof sessionId !== 'string' || typeof expiresAtMs !== 'number') return undefined;
  return { accountId, sessionId, expiresAtMs };
}
