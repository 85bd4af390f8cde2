/**
 * Counts what clients see on the wire through the load balancer: every status,
 * whether each 503 carried Retry-After, every invalid_grant from the token
 * endpoint (a lost grant), every GET that resumed a stream with Last-Event-ID,
 * and requests that got no answer at all. Clients send through `fetch()`.
 */
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

/**
 * The statuses the scale-out targets allow (issue 14: 2xx/401/429/502/503), plus the 302/303
 * redirects a browser follows through the sign-in itself. Anything else is a finding.
 */
export const ALLOWED_STATUS = (status: number): boolean =>
  (status >= 200 && status < 300) || [302, 303, 401, 429, 502, 503].includes(status);

export interface WireCounts {
  /** Status → responses. */
  readonly statuses: ReadonlyMap<number, number>;
  readonly unavailable: number;
  readonly unavailableWithRetryAfter: number;
  /** Token endpoint answers with `invalid_grant`. */
  readonly invalidGrants: number;
  /** GETs carrying Last-Event-ID: a cut stream resumed. */
  readonly resumptions: number;
  /** Requests that failed without a response (connection refused or reset). */
  readonly noAnswer: number;
  /** …by request and cause (`POST /mcp: UND_ERR_SOCKET`). */
  readonly noAnswerCauses: ReadonlyMap<string, number>;
  /** Statuses outside ALLOWED_STATUS, with where they came from. */
  readonly outliers: readonly string[];
}

export class WireRecorder {
  readonly #origin: string;
  readonly #statuses = new Map<number, number>();
  readonly #outliers: string[] = [];
  #unavailable = 0;
  #unavailableWithRetryAfter = 0;
  #invalidGrants = 0;
  #resumptions = 0;
  #noAnswer = 0;
  readonly #noAnswerCauses = new Map<string, number>();
  /** When each request without an answer failed (epoch ms). */
  readonly noAnswerAtMs: number[] = [];
  /** When each 503 was seen (epoch ms), to bound the outage window. */
  readonly unavailableAtMs: number[] = [];

  /** Only requests to `baseUrl`'s origin (the load balancer) are counted. */
  constructor(baseUrl: string) {
    this.#origin = new URL(baseUrl).origin;
  }

  /** A fetch that records, adding `headers()` (e.g. an X-Request-Id tag) to each request. */
  fetch(headers: () => Record<string, string> = () => ({})): FetchLike {
    return async (url, init = {}) => {
      const target = new URL(url);
      if (target.origin !== this.#origin) return await fetch(url, init);
      const merged = new Headers(init.headers);
      for (const [name, value] of Object.entries(headers())) merged.set(name, value);
      if ((init.method ?? 'GET') === 'GET' && merged.has('last-event-id')) this.#resumptions += 1;
      let response: Response;
      try {
        response = await fetch(url, { ...init, headers: merged });
      } catch (error) {
        this.#noAnswer += 1;
        this.noAnswerAtMs.push(Date.now());
        const key = `${init.method ?? 'GET'} ${target.pathname}: ${causeOf(error)}`;
        this.#noAnswerCauses.set(key, (this.#noAnswerCauses.get(key) ?? 0) + 1);
        throw error;
      }
      await this.record(response, `${init.method ?? 'GET'} ${target.pathname}`);
      return response;
    };
  }

  async record(response: Response, what: string): Promise<void> {
    const { status } = response;
    this.#statuses.set(status, (this.#statuses.get(status) ?? 0) + 1);
    if (!ALLOWED_STATUS(status)) this.#outliers.push(`${status} ${what}`);
    if (status === 503) {
      this.#unavailable += 1;
      this.unavailableAtMs.push(Date.now());
      if (response.headers.has('retry-after')) this.#unavailableWithRetryAfter += 1;
    }
    if (status === 400 && what.endsWith('/token')) {
      const body = (await response
        .clone()
        .json()
        .catch(() => ({}))) as { error?: unknown };
      if (body.error === 'invalid_grant') this.#invalidGrants += 1;
    }
  }

  counts(): WireCounts {
    return {
      statuses: new Map([...this.#statuses].sort(([a], [b]) => a - b)),
      unavailable: this.#unavailable,
      unavailableWithRetryAfter: this.#unavailableWithRetryAfter,
      invalidGrants: this.#invalidGrants,
      resumptions: this.#resumptions,
      noAnswer: this.#noAnswer,
      noAnswerCauses: new Map(this.#noAnswerCauses),
      outliers: [...this.#outliers],
    };
  }
}

/** undici reports the reason of a failed fetch in `cause` (a code such as UND_ERR_SOCKET or ECONNRESET). */
function causeOf(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown';
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return error.name;
  const cause = error.cause;
  if (!(cause instanceof Error)) return error.message;
  const { code } = cause as { code?: unknown };
  return typeof code === 'string' ? code : cause.message;
}
