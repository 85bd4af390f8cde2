import { errors, type AdapterFactory } from 'oidc-provider';
import { CredentialAlreadyConsumedError } from '../oauth/oauth-error.ts';
import { DependencyUnavailableError } from '../http-kit/dependency-unavailable-error.ts';
import { decorateAdapter } from '../store/index.ts';

/**
 * oidc-provider answers any error that is not one of its own with a 500
 * `server_error`. A store outage is not a server bug: it must reach the client
 * as 503 `temporarily_unavailable` (RFC 6749 §4.1.2.1, §5.2 practice) so that it
 * retries. oidc-provider renders an error by its `expose`, `message` (the
 * code), `error_description` and `statusCode` members, so the store's error is
 * re-thrown in that shape at the adapter seam.
 */
class ProviderVisibleUnavailableError extends Error {
  readonly expose = true;
  readonly statusCode = 503;
  readonly error_description: string;

  constructor(cause: DependencyUnavailableError) {
    super('temporarily_unavailable', { cause });
    this.error_description = cause.message;
  }
}

/**
 * The reverse, for our own callers of the provider's models (the token check,
 * grant revocation): they promise a DependencyUnavailableError on a store
 * outage (src/proxy/DESIGN.md, "Ports"), which the proxy answers with 503 and
 * Retry-After; the provider-shaped error would reach MCP clients as a 500.
 */
export function surfaceStoreOutages<Args extends unknown[], Result>(
  call: (...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  return async (...args) => {
    try {
      return await call(...args);
    } catch (error) {
      if (error instanceof ProviderVisibleUnavailableError) throw error.cause;
      throw error;
    }
  };
}

/** "authorization code", "refresh token": oidc-provider's own wording for a model in error details. */
const credentialLabel = (modelName: string): string =>
  modelName.replace(/(?<!^)(?=[A-Z])/g, ' ').toLowerCase();

/**
 * The one seam where the store's errors become oidc-provider's: an outage
 * becomes 503 `temporarily_unavailable`, and a single-use credential that
 * another request spent first (the adapter's consume lost the race) becomes
 * oidc-provider's own `InvalidGrant` (public `errors` export), which it
 * answers as 400 `invalid_grant` like any other refused grant.
 */
export function translateAdapterErrors(factory: AdapterFactory): AdapterFactory {
  return decorateAdapter(factory, { translateError: toProviderError });
}

function toProviderError(error: unknown): unknown {
  if (error instanceof DependencyUnavailableError) return new ProviderVisibleUnavailableError(error);
  if (error instanceof CredentialAlreadyConsumedError) {
    // The detail (logged, never sent) tells this apart from oidc-provider's own replay refusal.
    return new errors.InvalidGrant(`${credentialLabel(error.modelName)} consumed by a concurrent request`);
  }
  return error;
}
