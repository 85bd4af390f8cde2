import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { TestOAuthClient } from '../../support/sdk-oauth-client.ts';

export interface SpecOAuthClientOptions {
  redirectUrl?: string;
  metadata?: Partial<OAuthClientMetadata>;
  /** SEP-991: offered as the client_id when the AS advertises client ID metadata documents. */
  clientMetadataUrl?: string;
}

/**
 * TestOAuthClient plus what real MCP client applications implement on top of
 * the SDK's minimum: a `clientMetadataUrl` (Claude, Claude Code) and
 * `invalidateCredentials`, which the SDK calls when the AS answers
 * `invalid_client` (drop the registration, register again) or `invalid_grant`
 * (drop the tokens). It keeps its own registration and tokens so that tests
 * can also plant stale ones.
 */
export class SpecOAuthClient extends TestOAuthClient {
  readonly clientMetadataUrl?: string;
  #clientInformation: OAuthClientInformationMixed | undefined;
  #tokens: OAuthTokens | undefined;
  /** Every `invalidateCredentials` scope the SDK asked for, in order. */
  readonly invalidations: string[] = [];
  /** The client_ids the SDK saved, in order (a DCR answer or a URL client id), without repeats in a row. */
  readonly clientIds: string[] = [];

  constructor(options: SpecOAuthClientOptions = {}) {
    super({
      ...(options.redirectUrl === undefined ? {} : { redirectUrl: options.redirectUrl }),
      ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
    });
    if (options.clientMetadataUrl !== undefined) this.clientMetadataUrl = options.clientMetadataUrl;
  }

  override clientInformation(): OAuthClientInformationMixed | undefined {
    return this.#clientInformation;
  }
  override saveClientInformation(info: OAuthClientInformationMixed): void {
    if (this.clientIds.at(-1) !== info.client_id) this.clientIds.push(info.client_id);
    this.#clientInformation = info;
  }
  override tokens(): OAuthTokens | undefined {
    return this.#tokens;
  }
  override saveTokens(tokens: OAuthTokens): void {
    this.#tokens = tokens;
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    this.invalidations.push(scope);
    if (scope === 'all' || scope === 'client') this.#clientInformation = undefined;
    if (scope === 'all' || scope === 'tokens') this.#tokens = undefined;
  }
}
