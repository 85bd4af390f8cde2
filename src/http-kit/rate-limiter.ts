import type { ServerResponse } from 'node:http';
import type { Logger } from '../shared/logger.ts';

/**
 * The part of the shared store a limiter counts on (style.md rule 9: the
 * consumer owns its port): one atomic counter per key and window, which the
 * KeyValueStore provides.
 */
export interface RateLimitCounters {
  /** Adds `amount` (default 1) to the key's counter for its window; the window starts with the first. */
  increment(key: string, windowMs: number, amount?: number): Promise<{ count: number; resetInMs: number }>;
}

export interface RateLimiterOptions {
  /** Requests allowed per window and key (MAX_REQUESTS, MCP_AUTH_PROXY_MCP_MAX_REQUESTS). */
  readonly maxRequests: number;
  readonly windowMs: number;
  /** Namespaces the counters in the shared store, e.g. `ratelimit:mcp:`. */
  readonly keyPrefix: string;
  readonly logger?: Logger;
}

export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Whole seconds until the window resets (at least 1 while a window is open). */
  readonly resetSeconds: number;
}

export interface RateLimiter {
  consume(key: string): Promise<RateLimitDecision>;
}

/**
 * A fixed-window limiter on the store's atomic counter (KeyValueStore.increment),
 * so every instance behind a load balancer shares one count per key.
 *
 * It fails OPEN: when the store cannot answer, the request is allowed. A
 * limiter is abuse protection, not authentication; refusing every request
 * because Redis blinked would turn a storage hiccup into a full outage
 * (heroku-compat §7.D: survive Redis blips). The outage is logged once when it
 * starts and once when it ends, not on every request.
 */
export function createRateLimiter(store: RateLimitCounters, options: RateLimiterOptions): RateLimiter {
  const { maxRequests, windowMs, keyPrefix, logger } = options;
  const windowSeconds = Math.max(1, Math.ceil(windowMs / 1000));
  let storeFailing = false;

  return {
    async consume(key) {
      try {
        const { count, resetInMs } = await store.increment(keyPrefix + key, windowMs);
        if (storeFailing) {
          storeFailing = false;
          logger?.info({ event: 'rate_limit.store_recovered' }, 'rate_limit.store_recovered');
        }
        return {
          allowed: count <= maxRequests,
          limit: maxRequests,
          remaining: Math.max(0, maxRequests - count),
          resetSeconds: Math.max(1, Math.ceil(resetInMs / 1000)),
        };
      } catch (error) {
        if (!storeFailing) {
          storeFailing = true;
          logger?.warn(
            { event: 'rate_limit.store_unavailable', reason: errorName(error) },
            'rate_limit.store_unavailable',
          );
        }
        return { allowed: true, limit: maxRequests, remaining: maxRequests, resetSeconds: windowSeconds };
      }
    },
  };
}

/**
 * RateLimit-Limit / -Remaining / -Reset as in draft-ietf-httpapi-ratelimit-headers
 * (the form express-rate-limit calls draft-7, which the Heroku proxy sent), and
 * Retry-After (RFC 9110 §10.2.3) when the request is refused.
 */
export function writeRateLimitHeaders(res: ServerResponse, decision: RateLimitDecision): void {
  // setHeader one by one: the MCP hot path allocates no record for this.
  res.setHeader('RateLimit-Limit', decision.limit);
  res.setHeader('RateLimit-Remaining', decision.remaining);
  res.setHeader('RateLimit-Reset', decision.resetSeconds);
  if (!decision.allowed) res.setHeader('Retry-After', decision.resetSeconds);
}

/** The same headers as a record, for callers that collect headers before answering. */
export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'ratelimit-limit': String(decision.limit),
    'ratelimit-remaining': String(decision.remaining),
    'ratelimit-reset': String(decision.resetSeconds),
  };
  if (!decision.allowed) headers['retry-after'] = String(decision.resetSeconds);
  return headers;
}

const errorName = (error: unknown): string => (error instanceof Error ? error.name : typeof error);
