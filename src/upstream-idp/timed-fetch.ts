import type { CustomFetch } from 'openid-client';

/** Why a request to the identity provider got no response at all. */
export type RequestFailureReason = 'timeout' | 'network';

/**
 * A request to the identity provider that got no response (connection refused,
 * DNS failure, reset, or no answer within the time limit). Thrown by the fetch
 * that openid-client is given, so that the classifier can find it in the cause
 * chain whichever openid-client function made the call.
 */
export class IdentityProviderRequestFailure extends Error {
  /** `timeout` when the time limit passed first, `network` otherwise. */
  readonly reason: RequestFailureReason;
  /** The URL that was requested (an IdP endpoint; credentials never travel in it). */
  readonly url: string;

  constructor(reason: RequestFailureReason, url: string, cause: unknown) {
    super(reason === 'timeout' ? 'request timed out' : 'request failed', { cause });
    this.name = 'IdentityProviderRequestFailure';
    this.reason = reason;
    this.url = url;
  }
}

/**
 * A fetch for openid-client that puts one time limit, in milliseconds, on every
 * call to the IdP: discovery, token, userinfo and JWKS alike. openid-client's
 * own `timeout` is in whole seconds; this one is exact. The signal also covers
 * reading the body, so an IdP that sends headers and then stalls is cut off too.
 */
export function createTimedFetch(timeoutMs: number, fetchImplementation: typeof fetch = fetch): CustomFetch {
  return async (url, options) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = options.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline]);
    try {
      const init: RequestInit = {
        method: options.method,
        headers: options.headers,
        redirect: options.redirect,
        signal,
      };
      if (options.body !== undefined) init.body = options.body;
      if (options.duplex !== undefined) Object.assign(init, { duplex: options.duplex });
      return await fetchImplementation(url, init);
    } catch (error) {
      // Nothing else aborts these requests, so an aborted signal means a time limit passed.
      throw new IdentityProviderRequestFailure(signal.aborted ? 'timeout' : 'network', url, error);
    }
  };
}
