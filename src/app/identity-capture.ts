import type { SignInRules, UpstreamLoginResult } from '../interaction/index.ts';
import { identityFromClaims, serializeIdentity, type Identity } from '../policy/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { UpstreamTokenSet } from '../upstream-token-vault/index.ts';
import type { LiveAccessRules } from './live-access-rules.ts';

/** The IdP calls the identity is built from (src/upstream-idp through create-upstream-login.ts). */
export interface IdentitySource {
  fetchUserInfo(accessToken: string): Promise<Readonly<Record<string, unknown>> | undefined>;
  refreshToken(refreshToken: string): Promise<RefreshedAtIdp>;
}

export type RefreshedAtIdp = Omit<UpstreamTokenSet, 'userId' | 'identity'> & {
  readonly userId?: string | undefined;
  readonly idTokenClaims?: Readonly<Record<string, unknown>> | undefined;
};

export interface IdentityCapture {
  /** For the interaction: who signed in, and the `signIn:` rules' decision. */
  readonly signInRules: SignInRules;
  /** For the upstream token vault: a refresh, with the identity rebuilt when a new id_token came back. */
  refreshAtIdp(
    refreshToken: string,
    current: UpstreamTokenSet,
  ): Promise<Omit<UpstreamTokenSet, 'userId'> & { userId?: string | undefined }>;
}

/**
 * Who the user is, as the access rules see them: the id_token's claims, and
 * the IdP's userinfo while any rule is set (Okta sends groups only there),
 * read at sign-in and again when a refresh brings a new id_token
 * (docs/access-rules.md, "Where the identity comes from").
 */
export function createIdentityCapture(
  rules: LiveAccessRules,
  idp: IdentitySource,
  logger: Logger,
): IdentityCapture {
  async function identityOf(
    accountId: string,
    accessToken: string,
    idTokenClaims: Readonly<Record<string, unknown>> | undefined,
  ): Promise<Identity> {
    const { inUse, identityClaims } = rules.current;
    const userinfo = inUse ? await idp.fetchUserInfo(accessToken) : undefined;
    return identityFromClaims({ accountId, idTokenClaims, userinfo }, identityClaims);
  }

  return {
    signInRules: {
      identify: (tokens: UpstreamLoginResult) =>
        identityOf(tokens.userId, tokens.accessToken, tokens.idTokenClaims),
      decide: (identity) => rules.current.signIn.decide(identity),
    },

    async refreshAtIdp(refreshToken, current) {
      const { idTokenClaims, ...tokens } = await idp.refreshToken(refreshToken);
      // Without a new id_token the identity kept with the grant stays as it is.
      if (idTokenClaims === undefined) return tokens;
      try {
        const identity = await identityOf(current.userId, tokens.accessToken, idTokenClaims);
        return { ...tokens, identity: serializeIdentity(identity) };
      } catch (error) {
        // The refresh itself succeeded (and may have rotated the refresh token): never lose it
        // over userinfo. The identity kept with the grant stays until the next refresh.
        logger.warn(
          { event: 'identity.refresh_userinfo_failed', err: error },
          'identity.refresh_userinfo_failed',
        );
        return tokens;
      }
    },
  };
}
