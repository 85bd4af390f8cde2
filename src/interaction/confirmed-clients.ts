import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { appendCookie, readCookie } from '../http-kit/cookies.ts';
import { constantTimeEqual, sha256Base64Url } from '../shared/crypto.ts';

/** Confirmations are remembered this long per browser. */
const CONFIRMATION_MAX_AGE_SECONDS = 90 * 24 * 60 * 60;
/** The most recent confirmations are kept (a client and each step-up scope take one each); older ones are asked again. */
const MAX_REMEMBERED_ENTRIES = 40;

/**
 * Remembers, per browser, which MCP clients the user has confirmed (the
 * confused-deputy defence of MCP authorization §11.7 and Security Best
 * Practices "Per-Client Consent Storage"). The cookie is bound to client ids
 * (hashed, so it does not list what the user uses), signed with HMAC-SHA256,
 * HttpOnly, SameSite=Lax, and `__Host-` prefixed with Secure outside local
 * mode. It is written only after the user said yes, never before.
 *
 * A confirmation covers the client and the step-up scopes it was shown with
 * (MCP_AUTH_PROXY_SCOPE_RULES): a client that comes back for a step-up scope
 * the user has not seen it ask for is confirmed again (incremental consent),
 * while its everyday re-authorizations go straight to the IdP.
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

  has(req: IncomingMessage, clientId: string, stepUpScopes: readonly string[] = []): boolean {
    const remembered = new Set(this.#read(req));
    return entriesFor(clientId, stepUpScopes).every((entry) => remembered.has(entry));
  }

  remember(
    req: IncomingMessage,
    res: ServerResponse,
    clientId: string,
    stepUpScopes: readonly string[] = [],
  ): void {
    const confirmed = entriesFor(clientId, stepUpScopes);
    const list = [...confirmed, ...this.#read(req).filter((entry) => !confirmed.includes(entry))].slice(
      0,
      MAX_REMEMBERED_ENTRIES,
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

/** One hashed entry for the client, and one per step-up scope confirmed for it. */
function entriesFor(clientId: string, stepUpScopes: readonly string[]): string[] {
  return [
    sha256Base64Url(clientId),
    ...stepUpScopes.map((scope) => sha256Base64Url(`${clientId}\n${scope}`)),
  ];
}
