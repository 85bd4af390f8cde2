import type { JWK } from 'jose';
import type {
  AdapterFactory,
  AsymmetricSigningAlgorithm,
  Configuration,
  ErrorOut,
  KoaContextWithOIDC,
} from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { AuthorizationServerConfig } from '../config/config.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { Observe } from '../observability/index.ts';
import {
  CLIENT_METADATA_DOCUMENT_MAX_BYTES,
  clientIdMetadataDocumentFeature,
  createProviderFetch,
} from './client-id-metadata-documents.ts';
import { INTERNAL_CLIENT_FIELDS, validateClientMetadata } from './client-metadata-policy.ts';
import { createScopeDefaulter } from './default-scope.ts';
import { createInteractionPolicy } from './interaction-policy.ts';
import { deviceFlowFeature, DEVICE_CODE_TTL_SECONDS, type DevicePages } from './device-flow.ts';
import { createExistingGrantLoader } from './load-existing-grant.ts';
import { lifetimeWithinGrant } from './grant-bound-lifetime.ts';
import { PROVIDER_ROUTES } from './provider-routes.ts';
import { createResourceIndicators } from './resource-indicators.ts';
import type { ProtectedResources } from './protected-resources.ts';
import { requestIdOf } from '../http-kit/request-context.ts';

const ALLOWED_SIGNING_ALGS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA', 'Ed25519'] as const;

export interface ProviderConfigurationOptions {
  settings: AuthorizationServerConfig;
  /** Every MCP server (BASE_URL + its path): the audiences tokens are issued for; the first is the default. */
  resources: ProtectedResources;
  signingKeys: readonly JWK[];
  /** Keys oidc-provider signs its cookies with (derived from the encryption key). */
  cookieKeys: readonly string[];
  adapter: AdapterFactory;
  /** Renders the HTML error page for errors oidc-provider shows to a browser. */
  renderErrorPage: (error: ErrorOut, requestId: string | undefined) => Promise<string>;
  /** Security headers (CSP, framing, no-store) of every HTML page, so oidc-provider's error pages get them too. */
  pageHeaders?: Readonly<Record<string, string>> | undefined;
  /** The device flow's pages (RFC 8628): code entry and success. */
  devicePages: DevicePages;
  /** The clock the store expires records on: tokens never outlive their grant on it. */
  clock: Clock;
  observe: Observe;
  logger: Logger;
}

export function createProviderConfiguration(options: ProviderConfigurationOptions): Configuration {
  const { settings, resources } = options;
  const clientMetadataDocuments = {
    allowPrivateAddresses: settings.cimdAllowPrivateAddresses,
    logger: options.logger,
    observe: options.observe,
  };

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
      // MCP clients are mostly desktop and CLI apps that register without application_type. As
      // `native` (the reference's default too), oidc-provider accepts their private-use schemes
      // (cursor://, vscode://) minus dangerous ones (javascript:, data:, file:…), and matches
      // loopback redirect URIs on any port (RFC 8252 §7.3, §7.1); `web` would refuse the former
      // and demand exact ports.
      application_type: 'native',
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
    routes: { ...PROVIDER_ROUTES },
    fetch: createProviderFetch(clientMetadataDocuments),
    fetchResponseBodyLimits: { 'client_id metadata document': CLIENT_METADATA_DOCUMENT_MAX_BYTES },
    features: {
      devInteractions: { enabled: false },
      // RFC 8628, for clients that cannot open a browser (the reference enabled it for VS Code). Only
      // clients that registered the device_code grant may use it (oidc-provider checks grant_types).
      deviceFlow: deviceFlowFeature({ pages: options.devicePages, pageHeaders: options.pageHeaders ?? {} }),
      // https client_id URLs resolve to their metadata document, without registration (MCP [11] §5.1).
      clientIdMetadataDocument: clientIdMetadataDocumentFeature(clientMetadataDocuments),
      // The MCP endpoint checks bearer tokens only (RFC 6750). A DPoP-bound token (RFC 9449) would be
      // accepted there without its proof, so the AS must not advertise DPoP or bind tokens with it.
      dPoP: { enabled: false },
      registration: { enabled: true, initialAccessToken: false, issueRegistrationAccessToken: false },
      revocation: {
        enabled: true,
        // RFC 7009 §2.1: a client revokes only its own tokens. A confidential client is told so; a
        // public one (unauthenticated) gets the usual 200 so token validity is not disclosed. This is
        // oidc-provider's default rule, stated here so it is ours (and without its startup notice).
        allowedPolicy: (_ctx, client, token) => {
          if (token.clientId === client.clientId) return true;
          if (client.clientAuthMethod === 'none') return false;
          throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
        },
      },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      pushedAuthorizationRequests: { enabled: true },
      resourceIndicators: createResourceIndicators(resources, settings.accessTokenTtlSeconds),
    },
    extraClientMetadata: { properties: [...INTERNAL_CLIENT_FIELDS], validator: validateClientMetadata },
    extraParams: { scope: createScopeDefaulter(resources) },
    loadExistingGrant: createExistingGrantLoader(resources),
    // Clients that registered the refresh_token grant get refresh tokens whether or not they asked
    // for offline_access: hosted clients (Claude) never ask, and would otherwise lose the user hourly.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Tokens never end with the browser session that signed in: an MCP client is an app, not the
    // browser, and a later authorization of the same client in that browser replaces the session's
    // grant, which would end the session-bound tokens of every earlier installation.
    expiresWithSession: () => false,
    ttl: {
      // Tokens end with their grant at the latest (grant-bound-lifetime.ts); the grant lives
      // MCP_AUTH_PROXY_REFRESH_TOKEN_TTL_SECONDS from the sign-in and is never extended.
      AccessToken: lifetimeWithinGrant(settings.accessTokenTtlSeconds, options.clock),
      AuthorizationCode: 60,
      DeviceCode: DEVICE_CODE_TTL_SECONDS,
      RefreshToken: lifetimeWithinGrant(settings.refreshTokenTtlSeconds, options.clock),
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
      for (const [name, value] of Object.entries(options.pageHeaders ?? {})) ctx.set(name, value);
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      const clientId = (ctx.oidc?.params as { client_id?: unknown } | undefined)?.client_id;
      ctx.body = await options.renderErrorPage(explainForPeople(out, clientId), requestIdOf(ctx.req));
    },
    discovery: {
      authorization_response_iss_parameter_supported: true,
    },
  };
}

/**
 * Error pages are read by people, not programs. An unknown client_id at /auth
 * almost always means the MCP client kept a registration this server no longer
 * has (store wiped, registration expired, another deployment): the fix is for
 * the client to register again, which most do when their connection is reset.
 * An https client_id is a client ID metadata document that could not be used:
 * only its publisher can fix that.
 */
function explainForPeople(out: ErrorOut, clientId: unknown): ErrorOut {
  if (out.error !== 'invalid_client' && out.error !== 'invalid_client_metadata') return out;
  if (typeof clientId === 'string' && clientId.startsWith('https://')) {
    return {
      ...out,
      error_description:
        `This application describes itself at ${clientId}, and that description could not be used ` +
        `(${out.error_description ?? 'it was refused'}). Ask the application's publisher to fix it.`,
    };
  }
  if (out.error !== 'invalid_client') return out;
  return {
    ...out,
    error_description:
      'This application is not registered with this server (its registration may have expired or been removed). ' +
      'Remove and add the server again in your MCP client, or reconnect it, so that it registers again.',
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
