/**
 * A browser stand-in for tests: follows redirects by hand with a cookie jar
 * that honours Path (oidc-provider scopes its interaction cookies to
 * /interaction/<uid> and /auth/<uid>), so every hop of the login is observable.
 */
interface StoredCookie {
  name: string;
  value: string;
  origin: string;
  path: string;
}

export interface Hop {
  url: string;
  status: number;
  location?: string | undefined;
}

export class UserAgent {
  readonly #cookies: StoredCookie[] = [];
  readonly hops: Hop[] = [];

  /** Sends one request with the jar's cookies; stores Set-Cookie; does not follow redirects. */
  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookie = this.#cookieHeader(target);
    if (cookie !== '') headers.set('cookie', cookie);
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    this.#store(target, response.headers.getSetCookie());
    this.hops.push({
      url: target.href,
      status: response.status,
      location: response.headers.get('location') ?? undefined,
    });
    return response;
  }

  /**
   * Follows redirects from `url` until `stop(url)` says a URL belongs to the
   * client (its redirect_uri), or a non-redirect response arrives.
   */
  async follow(
    url: string | URL,
    stop: (location: URL) => boolean,
    init: RequestInit = {},
  ): Promise<{ response?: Response; final: URL }> {
    let current = new URL(url);
    let requestInit = init;
    for (let hop = 0; hop < 20; hop += 1) {
      if (stop(current)) return { final: current };
      const response = await this.request(current, requestInit);
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location !== null) {
        await response.arrayBuffer();
        current = new URL(location, current);
        requestInit = {};
        continue;
      }
      return { response, final: current };
    }
    throw new Error('too many redirects');
  }

  cookieNames(): string[] {
    return this.#cookies.map((cookie) => cookie.name);
  }

  /** The Cookie header this browser sends to `url` (e.g. to replay a copy of it elsewhere). */
  cookieHeader(url: string | URL): string {
    return this.#cookieHeader(new URL(url));
  }

  #cookieHeader(target: URL): string {
    return this.#cookies
      .filter((cookie) => cookie.origin === target.origin && pathMatches(cookie.path, target.pathname))
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  #store(target: URL, setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator);
      const value = pair.slice(separator + 1);
      let path = '/';
      let expired = false;
      for (const attribute of attributes) {
        const [key = '', attributeValue = ''] = attribute.split('=');
        if (key.toLowerCase() === 'path') path = attributeValue;
        if (key.toLowerCase() === 'max-age' && Number(attributeValue) <= 0) expired = true;
        if (key.toLowerCase() === 'expires' && Date.parse(attributeValue) < Date.now()) expired = true;
      }
      const index = this.#cookies.findIndex(
        (cookie) => cookie.name === name && cookie.path === path && cookie.origin === target.origin,
      );
      if (index !== -1) this.#cookies.splice(index, 1);
      if (!expired) this.#cookies.push({ name, value, path, origin: target.origin });
    }
  }
}

function pathMatches(cookiePath: string, requestPath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/';
}

/** Reads the first form on an HTML page: its action and its input values. */
export function readForm(html: string, baseUrl: string): { action: URL; fields: URLSearchParams } {
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (form === null) throw new Error('no form on the page');
  const fields = new URLSearchParams();
  for (const input of (form[2] ?? '').matchAll(/<input([^>]*)>/gi)) {
    const attributes = input[1] ?? '';
    // A browser submits a checkbox only when it is ticked.
    if (/type="checkbox"/i.test(attributes) && !/\schecked(\s|=|$)/i.test(attributes)) continue;
    const name = /name="([^"]*)"/.exec(attributes)?.[1];
    const value = /value="([^"]*)"/.exec(attributes)?.[1] ?? '';
    if (name !== undefined) fields.set(name, decodeEntities(value));
  }
  return { action: new URL(decodeEntities(form[1] ?? ''), baseUrl), fields };
}

function decodeEntities(value: string): string {
  return value
    .replace(/&#34;|&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
