import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { appendCookie, readCookie } from '../http/cookies.ts';
import { constantTimeEqual, sha256Base64Url } from '../shared/crypto.ts';

/** Confirmations are remembered this long per browser. */
const CONFIRMATION_MAX_AGE_SECONDS = 90 * 24 * 60 * 60;
/** The most recent clients are kept; older confirmations are asked again. */
const MAX_REMEMBERED_CLIENTS = 20;

/**
 * Remembers, per browser, which MCP clients the user has confirmed (the
 * confused-deputy defence of MCP authorization §11.7 and Security Best
 * Practices "Per-Client Consent Storage"). The cookie is bound to client ids
 * (hashed, so it does not list what the user uses), signed with HMAC-SHA256,
 * HttpOnly, SameSite=Lax, and `__Host-` prefixed with Secure outside local
 * mode. It is written only after the user said yes, never before.
 */
export class ConfirmedClients {
  readonly #key: Buffer;
  readonly #secure: boolean;
  readonly #cookieName: string;

  constructor(options: { signingKey: Buffer; secure: boolean }) {
    this.#key = options.signingKey;
    this.#secure = options.secure;
    // The __Host- prefix needs Secure, so plain-http local mode uses a plain name.
    this.#cookieName = options.secure ? '__Host-mcp-auth-confirmed' : 'mcp-auth-confirmed';
  }

  has(req: IncomingMessage, clientId: string): boolean {
    return this.#read(req).includes(sha256Base64Url(clientId));
  }

  remember(req: IncomingMessage, res: ServerResponse, clientId: string): void {
    const hashed = sha256Base64Url(clientId);
    const list = [hashed, ...this.#read(req).filter((entry) => entry !== hashed)].slice(
      0,
      MAX_REMEMBERED_CLIENTS,
    );
    const payload = list.join('~');
    appendCookie(res, this.#cookieName, `${payload}.${this.#sign(payload)}`, {
      maxAgeSeconds: CONFIRMATION_MAX_AGE_SECONDS,
      path: '/',
      secure: this.#secure,
    });
  }

  #read(req: IncomingMessage): string[] {
    const raw = readCookie(req, this.#cookieName);
    if (raw === undefined) return [];
    const separator = raw.lastIndexOf('.');
    if (separator === -1) return [];
    const payload = raw.slice(0, separator);
    if (!constantTimeEqual(raw.slice(separator + 1), this.#sign(payload))) return [];
    return payload === '' ? [] : payload.split('~');
  }

  #sign(payload: string): string {
    return createHmac('sha256', this.#key).update(`confirmed-clients:${payload}`).digest('base64url');
  }
}
