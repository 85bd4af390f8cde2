import * as client from 'openid-client';
import { toIdentityProviderError } from './classify-failure.ts';
import type { IdentityProviderEndpoint } from './identity-provider-error.ts';
import type { ResolvedIdentityClientOptions, TokenEndpointAuthMethod } from './identity-client-options.ts';
import { readMetadataFile, type IdentityProviderMetadata } from './server-metadata.ts';
import { createTimedFetch } from './timed-fetch.ts';

/** The openid-client configuration with the metadata it was built from. */
export interface ProviderConfiguration {
  readonly config: client.Configuration;
  readonly metadata: IdentityProviderMetadata;
  /** Maps a requested URL to the endpoint it belongs to, for error reports. */
  readonly endpointForUrl: (url: string) => IdentityProviderEndpoint | undefined;
}

/**
 * The client authentication method, chosen per request from the IdP's metadata
 * when the operator did not choose: RFC 8414 §2 makes `client_secret_basic`
 * the default, and the Heroku proxy used it; `client_secret_post` only when
 * the IdP lists it and not Basic.
 */
export function chooseTokenEndpointAuthMethod(
  configured: TokenEndpointAuthMethod | undefined,
  clientSecret: string | undefined,
  supported: readonly string[] | undefined,
): TokenEndpointAuthMethod {
  if (configured !== undefined) return configured;
  if (clientSecret === undefined) return 'none';
  if (
    supported !== undefined &&
    !supported.includes('client_secret_basic') &&
    supported.includes('client_secret_post')
  ) {
    return 'client_secret_post';
  }
  return 'client_secret_basic';
}

function clientAuthentication(options: ResolvedIdentityClientOptions): client.ClientAuth {
  const secret = options.clientSecret;
  return (as, clientMetadata, body, headers) => {
    const method = chooseTokenEndpointAuthMethod(
      options.tokenEndpointAuthMethod,
      secret,
      as.token_endpoint_auth_methods_supported,
    );
    const authenticate =
      method === 'client_secret_basic'
        ? client.ClientSecretBasic(secret)
        : method === 'client_secret_post'
          ? client.ClientSecretPost(secret)
          : client.None();
    authenticate(as, clientMetadata, body, headers);
  };
}

function stripQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}

function endpointLookup(
  metadata: IdentityProviderMetadata,
): (url: string) => IdentityProviderEndpoint | undefined {
  const table = new Map<string, IdentityProviderEndpoint>([[stripQuery(metadata.token_endpoint), 'token']]);
  if (metadata.userinfo_endpoint !== undefined) table.set(stripQuery(metadata.userinfo_endpoint), 'userinfo');
  if (metadata.jwks_uri !== undefined) table.set(stripQuery(metadata.jwks_uri), 'jwks');
  return (url) => {
    const bare = stripQuery(url);
    return table.get(bare) ?? (bare.includes('/.well-known/') ? 'discovery' : undefined);
  };
}

async function discover(
  serverUrl: URL,
  options: ResolvedIdentityClientOptions,
  fetchWithTimeout: client.CustomFetch,
): Promise<client.Configuration> {
  const clientMetadata = clientMetadataOf(options);
  const attempt = (algorithm: 'oidc' | 'oauth2'): Promise<client.Configuration> =>
    client.discovery(serverUrl, options.clientId, clientMetadata, clientAuthentication(options), {
      algorithm,
      [client.customFetch]: fetchWithTimeout,
      execute: options.allowInsecureHttp ? [client.allowInsecureRequests] : [],
    });
  const context = { endpoint: 'discovery' as const, issuer: serverUrl.href };
  try {
    return await attempt('oidc');
  } catch (error) {
    const failure = toIdentityProviderError(error, context);
    // A plain OAuth 2.0 server publishes RFC 8414 metadata instead of OpenID
    // Connect Discovery; only a missing document (404) is worth the second try.
    if (failure.statusCode !== 404) throw failure;
  }
  try {
    return await attempt('oauth2');
  } catch (error) {
    throw toIdentityProviderError(error, context);
  }
}

function clientMetadataOf(options: ResolvedIdentityClientOptions): Partial<client.ClientMetadata> {
  return {
    redirect_uris: [options.redirectUri],
    response_types: ['code'],
    ...(options.clientSecret !== undefined && { client_secret: options.clientSecret }),
  };
}

/**
 * Builds the openid-client configuration: discovery (OpenID Connect, then
 * RFC 8414 on a 404) or static metadata, with the time limit on every call,
 * plain http only when allowed, and id_token signature checks against the
 * IdP's JWKS whenever it publishes one.
 *
 * @throws IdentityProviderError when discovery fails; IdentityConfigurationError for a bad metadata file.
 */
export async function loadProviderConfiguration(
  options: ResolvedIdentityClientOptions,
): Promise<ProviderConfiguration> {
  const fetchWithTimeout = createTimedFetch(options.timeoutMs);
  let config: client.Configuration;
  if (options.source.kind === 'discovery') {
    config = await discover(options.source.serverUrl, options, fetchWithTimeout);
  } else {
    const metadata =
      options.source.kind === 'static'
        ? options.source.metadata
        : await readMetadataFile(options.source.path, options.allowInsecureHttp);
    config = new client.Configuration(
      metadata as client.ServerMetadata,
      options.clientId,
      clientMetadataOf(options),
      clientAuthentication(options),
    );
    if (options.allowInsecureHttp) client.allowInsecureRequests(config);
  }
  config[client.customFetch] = fetchWithTimeout;
  // openid-client's own limit (whole seconds) stays as a backstop behind the exact one.
  config.timeout = Math.ceil(options.timeoutMs / 1000) + 1;
  const metadata = { ...config.serverMetadata() } as IdentityProviderMetadata;
  // OIDC Core §3.1.3.7 lets TLS stand in for the signature of an id_token from
  // the token endpoint; checking it anyway costs one cached JWKS fetch.
  if (metadata.jwks_uri !== undefined) client.enableNonRepudiationChecks(config);
  return { config, metadata, endpointForUrl: endpointLookup(metadata) };
}
