import type { JWK } from 'jose';
import type { AdapterFactory, AsymmetricSigningAlgorithm, Configuration, ErrorOut, KoaContextWithOIDC } from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { AuthorizationServerConfig } from '../config/config.ts';
import { createInteractionPolicy } from './interaction-policy.ts';
import { isSameResource } from './resource.ts';

/** OIDC scopes oidc-provider knows by itself; every other configured scope is a resource scope. */
export const OIDC_SCOPES = new Set(['openid', 'offline_access', 'profile', 'email', 'address', 'phone']);

/**
 * Client metadata that only the proxy itself may set. The reference stored its
 * per-client confirmation flag and IdP tokens on the client record, so a
 * client could register with them and skip the confirmation page. We keep
 * nothing of the kind on clients, and refuse these names outright so such a
 * registration fails loudly instead of being silently dropped.
 */
const INTERNAL_CLIENT_FIELDS = [
  'identityLoginConfirmed',
  'identityAuthCode',
  'identityAuthCodeVerifier',
  'identityAuthState',
  'identityAuthAccessToken',
  'identityAuthRefreshToken',
  'identityAuthIdToken',
  'identityAuthTokenType',
  'identityAuthScope',
  'identityAuthExpiresIn',
  'identityAuthUserId',
  'identityAuthId',
  'identityAuthInstanceUrl',
  'identityAuthSignature',
  'identityAuthSessionNonce',
];

const ALLOWED_SIGNING_ALGS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA', 'Ed25519'] as const;

export interface ProviderConfigurationOptions {
  settings: AuthorizationServerConfig;
  /** The MCP resource (BASE_URL + the MCP path): the only audience tokens are issued for. */
  resource: string;
  signingKeys: readonly JWK[];
  /** Keys oidc-provider signs its cookies with (derived from the encryption key). */
  cookieKeys: readonly string[];
  adapter: AdapterFactory;
  /** Renders the HTML error page for errors oidc-provider shows to a browser. */
  renderErrorPage: (error: ErrorOut, requestId: string | undefined) => Promise<string>;
}

export function createProviderConfiguration(options: ProviderConfigurationOptions): Configuration {
  const { settings, resource } = options;
  const resourceScopes = settings.scopes.join(' ');

  return {
    adapter: options.adapter,
    jwks: { keys: options.signingKeys.map((key) => ({ ...key })) },
    scopes: settings.scopes,
    claims: { openid: ['sub'] },
    responseTypes: ['code'],
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post'],
    // PKCE is required for every client; oidc-provider 9 supports S256 only.
    pkce: { required: () => true },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: idTokenAlgorithm(options.signingKeys),
    },
    enabledJWA: {
      idTokenSigningAlgValues: [...ALLOWED_SIGNING_ALGS],
    },
    cookies: {
      keys: [...options.cookieKeys],
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    routes: {
      authorization: '/auth',
      token: '/token',
      registration: '/reg',
      jwks: '/jwks',
      revocation: '/token/revocation',
      userinfo: '/me',
      end_session: '/session/end',
      pushed_authorization_request: '/request',
    },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true, initialAccessToken: false, issueRegistrationAccessToken: false },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      pushedAuthorizationRequests: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // RFC 8707: a client that omits `resource` still gets a token for the MCP server.
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (!isSameResource(indicator, resource)) {
            throw new errors.InvalidTarget(`this server only issues tokens for ${resource}`);
          }
          return {
            scope: resourceScopes,
            audience: resource,
            accessTokenTTL: settings.accessTokenTtlSeconds,
            accessTokenFormat: 'opaque',
          };
        },
      },
    },
    extraClientMetadata: {
      properties: INTERNAL_CLIENT_FIELDS,
      validator(_ctx, key, value) {
        if (value !== undefined) {
          throw new errors.InvalidClientMetadata(`${key} is reserved for the authorization server`);
        }
      },
    },
    // Clients that registered the refresh_token grant get refresh tokens whether or not they asked
    // for offline_access: hosted clients (Claude) never ask, and would otherwise lose the user hourly.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: {
      AccessToken: settings.accessTokenTtlSeconds,
      AuthorizationCode: 60,
      RefreshToken: settings.refreshTokenTtlSeconds,
      Grant: settings.refreshTokenTtlSeconds,
      Session: settings.refreshTokenTtlSeconds,
      Interaction: 15 * 60,
      IdToken: settings.accessTokenTtlSeconds,
    },
    interactions: {
      policy: createInteractionPolicy(),
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    // Browser clients (MCP Inspector) call /token and /token/revocation cross-origin.
    clientBasedCORS: () => true,
    renderError: async (ctx: KoaContextWithOIDC, out: ErrorOut) => {
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = await options.renderErrorPage(out, ctx.get('x-request-id') || undefined);
    },
    discovery: {
      authorization_response_iss_parameter_supported: true,
    },
  };
}

function idTokenAlgorithm(keys: readonly JWK[]): AsymmetricSigningAlgorithm {
  const first = keys[0];
  if (first?.alg !== undefined && (ALLOWED_SIGNING_ALGS as readonly string[]).includes(first.alg)) {
    return first.alg as AsymmetricSigningAlgorithm;
  }
  if (first?.kty === 'OKP') return 'EdDSA';
  if (first?.kty === 'EC') return first.crv === 'P-384' ? 'ES384' : 'ES256';
  return 'RS256';
}
