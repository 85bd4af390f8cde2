import { OAuthError } from '../oauth/oauth-error.ts';

/**
 * A dependency (store, IdP, MCP server) did not answer: 503 with Retry-After,
 * nothing revoked. Stores, the token vault and the proxy throw it, and the
 * one error boundary answers it, so it lives in this leaf rather than in the
 * OAuth vocabulary. It is answered in RFC 6749 §5.2's shape
 * (`temporarily_unavailable`, §4.1.2.1) like every error of this proxy, hence
 * an OAuthError.
 */
export class DependencyUnavailableError extends OAuthError {
  readonly dependency: 'store' | 'identity_provider' | 'mcp_server';

  constructor(dependency: DependencyUnavailableError['dependency'], description: string, cause?: unknown) {
    super('temporarily_unavailable', description, { status: 503, retryAfterSeconds: 5, cause });
    this.name = 'DependencyUnavailableError';
    this.dependency = dependency;
  }
}
