import { DependencyUnavailableError } from '../oauth/oauth-error.ts';

/** Far more than any real wrapping; only guards against a cyclic `cause`. */
const MAX_CAUSE_DEPTH = 8;

/**
 * The proxy's ports promise a `DependencyUnavailableError` when the store is
 * down (src/proxy/DESIGN.md, "Ports"), which the proxy turns into 503 +
 * Retry-After. The authorization server reads tokens and grants through
 * oidc-provider's adapter, which re-wraps a store outage in the shape
 * oidc-provider renders (the original error is its `cause`). Handed to the
 * proxy as is, a Redis outage reached MCP clients as a 500 they do not retry.
 */
export function surfaceStoreOutages<Args extends unknown[], Result>(
  call: (...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  return async (...args) => {
    try {
      return await call(...args);
    } catch (error) {
      throw storeOutageIn(error) ?? error;
    }
  };
}

function storeOutageIn(error: unknown): DependencyUnavailableError | undefined {
  let current = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current instanceof Error; depth += 1) {
    if (current instanceof DependencyUnavailableError) return current;
    current = current.cause;
  }
  return undefined;
}
