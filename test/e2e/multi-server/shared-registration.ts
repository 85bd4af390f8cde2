/**
 * One MCP client application that connects to several MCP servers of one
 * proxy, keeping its OAuth state as client applications do: one registration
 * with the authorization server (the servers name the same one in their
 * protected resource metadata), and tokens per server. The SDK takes one
 * OAuthClientProvider per connection, so each server gets a provider that
 * reads and writes the shared registration and holds its own tokens and PKCE
 * verifier.
 */
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { TestOAuthClient } from '../../support/sdk-oauth-client.ts';

type InvalidatedCredentials = 'all' | 'client' | 'tokens' | 'verifier' | 'discovery';

export class SharedRegistration {
  #information: OAuthClientInformationMixed | undefined;
  readonly #providers = new Map<string, ServerOAuthClient>();
  /** Every client_id the SDK saved, in order, without repeats in a row: one registration, one entry. */
  readonly clientIds: string[] = [];

  /** The provider for connections to this MCP server URL (the same object every time). */
  forServer(serverUrl: string): ServerOAuthClient {
    let provider = this.#providers.get(serverUrl);
    if (provider === undefined) {
      provider = new ServerOAuthClient(this);
      this.#providers.set(serverUrl, provider);
    }
    return provider;
  }

  get information(): OAuthClientInformationMixed | undefined {
    return this.#information;
  }

  save(information: OAuthClientInformationMixed): void {
    if (this.clientIds.at(-1) !== information.client_id) this.clientIds.push(information.client_id);
    this.#information = information;
  }

  forget(): void {
    this.#information = undefined;
  }
}

/** The provider of one server's connections: the shared registration, this server's tokens. */
export class ServerOAuthClient extends TestOAuthClient {
  readonly #registration: SharedRegistration;
  #tokens: OAuthTokens | undefined;
  /** Every `invalidateCredentials` scope the SDK asked for, in order. */
  readonly invalidations: InvalidatedCredentials[] = [];

  constructor(registration: SharedRegistration) {
    super();
    this.#registration = registration;
  }

  override clientInformation(): OAuthClientInformationMixed | undefined {
    return this.#registration.information;
  }
  override saveClientInformation(information: OAuthClientInformationMixed): void {
    this.#registration.save(information);
  }
  override tokens(): OAuthTokens | undefined {
    return this.#tokens;
  }
  override saveTokens(tokens: OAuthTokens): void {
    this.#tokens = tokens;
  }

  /** The SDK drops the tokens on invalid_grant (a refused refresh) and everything on invalid_client. */
  invalidateCredentials(scope: InvalidatedCredentials): void {
    this.invalidations.push(scope);
    if (scope === 'all' || scope === 'client') this.#registration.forget();
    if (scope === 'all' || scope === 'tokens') this.#tokens = undefined;
  }

  /** This server's access token; fails the test when it has none. */
  accessToken(): string {
    const token = this.#tokens?.access_token;
    if (token === undefined) throw new Error('this server has no access token yet');
    return token;
  }
}
