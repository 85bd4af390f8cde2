import { describeError } from '../describe-error.ts';

/** What a probe got back; `json` is the parsed body when it parsed, else undefined. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  readonly json: unknown;
}

export type HttpResult =
  { readonly ok: true; readonly answer: HttpAnswer } | { readonly ok: false; readonly error: string };

/** An origin no deployment allows by name: CORS must work for any browser client. */
export const PROBE_ORIGIN = 'https://mcp-auth-proxy-doctor.invalid';

/**
 * One request as a client makes it, without following redirects (a client
 * that meets a redirect where it expects JSON or a 401 trips over it, so the
 * report names it). Network failures and timeouts become `{ ok: false }`.
 */
export async function probe(url: string, init: RequestInit, timeoutMs: number): Promise<HttpResult> {
  try {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await response.text();
    return {
      ok: true,
      answer: { status: response.status, headers: response.headers, body, json: parseJson(body) },
    };
  } catch (error) {
    return { ok: false, error: describeError(error) };
  }
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A short description of an unexpected answer: status, OAuth error and where a redirect points. */
export function summarize(answer: HttpAnswer): string {
  const parts = [`HTTP ${answer.status}`];
  const location = answer.headers.get('location');
  if (location !== null) parts.push(`redirecting to ${location}`);
  if (isObject(answer.json) && typeof answer.json['error'] === 'string') {
    const description = answer.json['error_description'];
    parts.push(
      typeof description === 'string' ? `${answer.json['error']}: ${description}` : answer.json['error'],
    );
  } else if (answer.json === undefined && answer.body.trim() !== '') {
    parts.push(`a non-JSON body (${answer.headers.get('content-type') ?? 'no content type'})`);
  }
  return parts.join(', ');
}

/** Whether a comma-separated header lists `name` (case-insensitive), or `*`. */
export function headerListIncludes(value: string | null, name: string): boolean {
  if (value === null) return false;
  const entries = value.split(',').map((entry) => entry.trim().toLowerCase());
  return entries.includes('*') || entries.includes(name.toLowerCase());
}
