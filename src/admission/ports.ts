import type { IncomingMessage } from 'node:http';
import type { RateLimitDecision } from '../http-kit/rate-limiter.ts';
import type { RequiredScopes, ScopeHierarchy } from '../oauth/scope-challenge.ts';
import type { AccessPolicy, Identity } from '../policy/index.ts';

/**
 * What the admission pipeline needs from the rest of the system, stated by the
 * pipeline (style.md rule 9: the consumer owns its ports). The authorization
 * server supplies verifyAccessToken; the upstream token vault supplies
 * UpstreamTokenSource. Tests pass small fakes of both.
 */

/** A valid access token issued by our authorization server. */
export interface VerifiedAccess {
  readonly grantId: string;
  readonly accountId: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly expiresAtSeconds: number;
  /** The token's audience: the protected resource (MCP server) it was issued for (RFC 8707). */
  readonly resource: string;
}

/**
 * Resolves undefined for a missing, unknown or revoked token (→ 401
 * invalid_token). Throws DependencyUnavailableError when the store cannot
 * answer (→ 503). Expiry and audience are the pipeline's to check
 * (steps/verify-token.ts), once.
 */
export type VerifyAccessToken = (token: string) => Promise<VerifiedAccess | undefined>;

export interface UpstreamTokenSource {
  /** The user's current IdP access token for this grant; undefined when the grant has none (→ 401 challenge). */
  current(grantId: string): Promise<string | undefined>;
  /**
   * Refreshes once per grant (single flight) after the MCP server refused
   * `rejectedToken`, and returns the new token. When another request already
   * replaced `rejectedToken`, returns that newer token without calling the IdP.
   * Throws OAuthError('invalid_grant') when the IdP refused the refresh (the
   * source has revoked the grant already) → 401 challenge; throws
   * DependencyUnavailableError('identity_provider') for transient IdP failures
   * → 503 + Retry-After.
   */
  refresh(grantId: string, rejectedToken: string): Promise<string>;
}

/** Whether the supervised MCP server is running; false → 503 + Retry-After without trying. */
export type IsUpstreamAvailable = () => boolean;

/**
 * Who opened each MCP session (Security Best Practices, session hijacking:
 * bind a session to its user). The owner of a session never changes.
 */
export interface SessionOwners {
  /**
   * The account that opened the session; undefined when none is recorded
   * (a session older than the binding, or its record has expired). Throws
   * DependencyUnavailableError when the store cannot answer.
   */
  ownerOf(sessionId: string): Promise<string | undefined>;
  /** Remembers the account that opened the session (the `initialize` that got its id). */
  record(sessionId: string, accountId: string): Promise<void>;
}

/** Step-up (a server's scope rules): the scopes operations need beyond a valid token. */
export interface StepUpPolicy {
  readonly requiredScopes: RequiredScopes;
  readonly hierarchy: ScopeHierarchy;
  /**
   * Told about each grant challenged for more scope, before the 403 leaves
   * (authorization-server/step-up-refresh-refusal.ts); absent = nobody.
   */
  readonly recordChallenge?: ((grantId: string) => Promise<void>) | undefined;
}

/**
 * Counts a request that carries no valid access token against the per-address
 * limit (MAX_REQUESTS, as the Heroku proxy counts every request); absent = not
 * counted. Requests with a valid token are left to the per-grant limit.
 */
export type AdmitUnauthenticated = (req: IncomingMessage) => Promise<RateLimitDecision>;

/** The user's identity kept with each grant (src/access-cache serves it from memory). */
export interface GrantIdentities {
  /** Undefined for a grant that kept none (made before identities were kept): no condition holds for it. */
  identityOf(grantId: string): Promise<Identity | undefined>;
}

/** A server's access rules (src/policy, docs/access-rules.md), as they are now. */
export interface ServerAccessRules {
  /** The server's compiled rules now, read at every request: a change of the rules file applies to the next one. */
  policy(): AccessPolicy;
  readonly identities: GrantIdentities;
}
