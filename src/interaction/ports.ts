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
}

/** Where a finished login's upstream tokens go (the upstream token vault). */
export interface UpstreamTokenSink {
  save(grantId: string, tokens: UpstreamLoginResult): Promise<void>;
}

/** Renders a page (layout included) to HTML. */
export type RenderPage = (view: string, locals: Record<string, unknown>) => Promise<string>;
