import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const SESSION_COOKIE = 'fake_idp_session';

/**
 * The fake IdP's login sessions: a cookie naming the user who logged in, as a
 * real IdP's single sign-on session, so that a later authorization from the
 * same browser skips the login form.
 */
export class FakeIdpSessions {
  readonly #users = new Map<string, string>();

  /** Starts a session for this user: sets its cookie on the response about to be sent. */
  start(res: ServerResponse, username: string): void {
    const session = randomBytes(24).toString('base64url');
    this.#users.set(session, username);
    res.setHeader('set-cookie', `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Lax`);
  }

  /** The user whose session cookie this request carries, if any. */
  userOf(request: IncomingMessage): string | undefined {
    const prefix = `${SESSION_COOKIE}=`;
    const cookie = (request.headers.cookie ?? '')
      .split(';')
      .map((part) => part.trim())
      .find((part) => part.startsWith(prefix));
    return cookie === undefined ? undefined : this.#users.get(cookie.slice(prefix.length));
  }
}
