import type Provider from 'oidc-provider';

/** What the proxy needs to know about a valid access token. */
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
 * Validates an opaque access token (OAuth 2.1 §5.2): it must exist in the store
 * (so revoked tokens fail) and have been issued for one of the MCP servers as audience (RFC 8707 §2). Which one it is comes back as
 * `resource`: the MCP endpoint refuses a token for another server (MCP
 * authorization §9.2). Returns undefined for every invalid token; throws only
 * when the store cannot answer.
 * Expiry is decided once, by the admission pipeline (src/admission/steps/verify-token.ts),
 * at the instant the request arrived; oidc-provider's own find already drops a token past
 * its clock tolerance.
 */
export function createAccessTokenVerifier(
  provider: Provider,
  resources: readonly string[],
): (token: string) => Promise<VerifiedAccess | undefined> {
  const known = new Set(resources);
  return async (token) => {
    const accessToken = await provider.AccessToken.find(token);
    if (accessToken === undefined) return undefined;
    const audience = accessToken.aud;
    const audiences: unknown[] = Array.isArray(audience) ? audience : [audience];
    const resource = audiences.find((each): each is string => typeof each === 'string' && known.has(each));
    if (resource === undefined) return undefined;
    const { grantId, accountId, clientId, exp } = accessToken;
    if (grantId === undefined || accountId === undefined || clientId === undefined || exp === undefined) {
      return undefined;
    }
    return {
      grantId,
      accountId,
      clientId,
      scopes: accessToken.scope === undefined ? [] : accessToken.scope.split(' ').filter(Boolean),
      expiresAtSeconds: exp,
      resource,
    };
  };
}
