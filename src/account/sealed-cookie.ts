import type { IncomingMessage, ServerResponse } from 'node:http';
import { appendCookie, readCookie } from '../http-kit/cookies.ts';
import { open, seal } from '../shared/crypto.ts';

export interface SealedCookieOptions<T> {
  /** Without the `__Secure-` prefix, which is added when `secure`. */
  readonly name: string;
  /** An AES-256-GCM key derived for this page from the master key. */
  readonly key: Buffer;
  readonly path: string;
  readonly secure: boolean;
  readonly maxAgeSeconds: number;
  /** Checks the opened JSON's shape; undefined refuses it. */
  readonly parse: (value: unknown) => T | undefined;
}

/**
 * A value kept in the browser, sealed with AES-256-GCM (style rule 8): the
 * browser can neither read nor change it. The associated data is the cookie's
 * name, so a value sealed for one cookie never opens as another. HttpOnly,
 * SameSite=Lax, Secure outside LOCAL_INSECURE (http-kit/cookies.ts); the
 * `__Secure-` prefix then makes browsers refuse it from plain http.
 */
export class SealedCookie<T> {
  readonly #options: SealedCookieOptions<T>;
  readonly #name: string;

  constructor(options: SealedCookieOptions<T>) {
    this.#options = options;
    this.#name = options.secure ? `__Secure-${options.name}` : options.name;
  }

  /** The value, or undefined when there is none or it does not open (another key, tampered, old format). */
  read(req: IncomingMessage): T | undefined {
    const raw = readCookie(req, this.#name);
    if (raw === undefined || raw === '') return undefined;
    try {
      return this.#options.parse(JSON.parse(open(this.#options.key, raw, this.#name)));
    } catch {
      return undefined;
    }
  }

  write(res: ServerResponse, value: T): void {
    const sealed = seal(this.#options.key, JSON.stringify(value), this.#name);
    appendCookie(res, this.#name, sealed, this.#attributes(this.#options.maxAgeSeconds));
  }

  clear(res: ServerResponse): void {
    appendCookie(res, this.#name, '', this.#attributes(0));
  }

  #attributes(maxAgeSeconds: number) {
    return { maxAgeSeconds, path: this.#options.path, secure: this.#options.secure };
  }
}
