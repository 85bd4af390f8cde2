import type { Config } from '../config/config.ts';
import type { KeyValueStore } from '../store/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { UpstreamLogin } from '../interaction/index.ts';
import type { RefreshedAtIdp } from './identity-capture.ts';
import type { Tracing } from '../telemetry/index.ts';
import {
  createIdentityClient,
  createKeyValueStorageHook,
  type IdentityClient,
  type IdentityClientOptions,
  type PKCEStorageHook,
  type RefreshedTokens,
} from '../upstream-idp/index.ts';

export interface UpstreamIdentity extends UpstreamLogin {
  readonly client: IdentityClient;
  refreshToken(refreshToken: string): Promise<RefreshedAtIdp>;
  /** The IdP's userinfo for this access token; undefined when it has no userinfo endpoint. */
  fetchUserInfo(accessToken: string): Promise<Readonly<Record<string, unknown>> | undefined>;
}

/**
 * The login bridge's IdP client: the public `mcp-auth-proxy/identity` library
 * (one implementation for the proxy and for library users), with pending
 * logins kept in our store so that any instance can finish a login another
 * started. Its metadata is loaded now, so a wrong IdP URL fails at start-up.
 */
export async function createUpstreamLogin(
  config: Config,
  store: KeyValueStore,
  logger: Logger,
  /** Seals pending logins (PKCE verifier) in the store, as every other secret at rest (style.md rule 8). */
  pendingLoginKey: Buffer,
  /** Absent when tracing is off. */
  tracing?: Tracing,
): Promise<UpstreamIdentity> {
  const client = createIdentityClient(
    identityClientOptionsFor(config, createKeyValueStorageHook(store, { encryptionKey: pendingLoginKey })),
  );
  await client.initialize();
  logger.info({ event: 'identity.ready', issuer: client.metadata?.issuer }, 'identity.ready');
  // The calls to the IdP as CLIENT spans of the request that makes them: the code exchange (with its
  // userinfo and JWKS requests) at the login callback, the refresh in the upstream token vault.
  const idpHost = hostOf(client.metadata?.token_endpoint);
  const idpCall = <T>(name: string, run: () => Promise<T>): Promise<T> =>
    tracing === undefined
      ? run()
      : tracing.inSpan(name, 'client', idpHost === undefined ? {} : { 'server.address': idpHost }, run);

  return {
    client,
    generateAuthUrl: (state, redirectUri) => client.generateAuthUrl(state, redirectUri),
    completeLogin: (input) =>
      idpCall('idp.code_exchange', async () => {
        const tokens = await client.completeLogin(input);
        return { ...toVaultTokens(tokens), userId: tokens.userId };
      }),
    refreshToken: (refreshToken) =>
      idpCall('idp.refresh', async () => toVaultTokens(await client.refreshToken(refreshToken))),
    fetchUserInfo: (accessToken) => idpCall('idp.userinfo', () => client.fetchUserInfo(accessToken)),
  };
}

/**
 * The fields the vault keeps, and the id_token's claims for the identity; `idToken` and
 * `expiresIn` are not needed once the login is done.
 */
function toVaultTokens(tokens: RefreshedTokens): RefreshedAtIdp {
  return {
    idTokenClaims: tokens.idTokenClaims,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    tokenType: tokens.tokenType,
    scope: tokens.scope,
    expiresAt: tokens.expiresAt,
    userId: tokens.userId,
    extras: tokens.extras,
  };
}

/** The identity client's options from the validated Config (shared by the proxy and `mcp-auth-proxy check`). */
export function identityClientOptionsFor(
  config: Config,
  storageHook: PKCEStorageHook,
): IdentityClientOptions {
  const { identity } = config;
  return {
    clientId: identity.clientId,
    clientSecret: identity.clientSecret,
    serverUrl: identity.serverUrl,
    metadataFile: identity.metadataFile,
    redirectUri: identity.redirectUri,
    scope: identity.scopes,
    timeoutMs: identity.timeoutMs,
    storageHook,
    nodeEnv: config.nodeEnv,
    allowInsecureHttp: config.localInsecure,
  };
}

const hostOf = (url: string | undefined): string | undefined =>
  url !== undefined && URL.canParse(url) ? new URL(url).hostname : undefined;
