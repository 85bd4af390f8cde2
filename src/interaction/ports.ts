import type { Decision, Identity } from '../policy/index.ts';

/**
 * What the login bridge needs from the upstream identity-provider client
 * (src/upstream-idp implements it). Owned here, by its consumer.
 */
export interface UpstreamLogin {
  /** The IdP's authorization URL for this login; PKCE verifier and nonce are kept under `state`. */
  generateAuthUrl(state: string, redirectUri: string): Promise<string>;
  /** Takes the saved PKCE state (single use), checks `state`, exchanges the code, returns the user's tokens. */
  completeLogin(input: { params: URLSearchParams; state: string }): Promise<UpstreamLoginResult>;
}

export interface UpstreamLoginResult {
  readonly accessToken: string;
  readonly refreshToken?: string | undefined;
  readonly tokenType?: string | undefined;
  readonly scope?: string | undefined;
  readonly expiresAt?: number | undefined;
  readonly userId: string;
  readonly extras?: Readonly<Record<string, unknown>> | undefined;
  /** The validated id_token's claims, when the IdP sent one: read into the identity, never kept as such. */
  readonly idTokenClaims?: Readonly<Record<string, unknown>> | undefined;
}

/** What a finished login keeps with its grant: the IdP tokens, and the user's identity as text (src/policy). */
export type UpstreamGrantRecord = Omit<UpstreamLoginResult, 'idTokenClaims'> & {
  readonly identity?: string | undefined;
};

/** Where a finished login's upstream tokens go (the upstream token vault, which seals them). */
export interface UpstreamTokenSink {
  save(grantId: string, tokens: UpstreamGrantRecord): Promise<void>;
}

/** The access rules at sign-in (src/policy), compiled and kept current by the composition root. */
export interface SignInRules {
  /**
   * Who has just signed in, as the rules see them: the id_token's claims, and
   * the IdP's userinfo when rules are set. Throws OAuthError when userinfo
   * cannot be read (the sign-in then fails, rather than decide on half an identity).
   */
  identify(tokens: UpstreamLoginResult): Promise<Identity>;
  /** The proxy-wide `signIn:` rules' decision, once the identity is known. */
  decide(identity: Identity): Decision;
}

/** Renders a page (layout included) to HTML. */
export type RenderPage = (view: string, locals: Record<string, unknown>) => Promise<string>;
