import { DependencyUnavailableError } from '../oauth/oauth-error.ts';
import type { VerifyAccessToken } from '../proxy/index.ts';

/** Far more than any real wrapping; only guards against a cyclic `cause`. */
const MAX_CAUSE_DEPTH = 8;

/**
 * The proxy's VerifyAccessToken port promises a `DependencyUnavailableError`
 * when the store is down (src/proxy/DESIGN.md, "Ports"), which the proxy turns
 * into 503 + Retry-After. The authorization server's verifier reads tokens
 * through oidc-provider's adapter, which re-wraps a store outage in the shape
 * oidc-provider renders (its `cause` is the original error). Without this, a
 * Redis outage reached MCP clients as a 500 that they do not retry.
 */
export function surfaceStoreOutages(verify: VerifyAccessToken): VerifyAccessToken {
  return async (token) => {
    try {
      return await verify(token);
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
