import type { ClientMetadata, KoaContextWithOIDC } from 'oidc-provider';
import { errors } from 'oidc-provider';

/**
 * Client metadata that only the proxy itself may set. The reference stored its
 * per-client confirmation flag and IdP tokens on the client record, so a
 * client could register with them and skip the confirmation page. We keep
 * nothing of the kind on clients, and refuse these names outright so such a
 * registration fails loudly instead of being silently dropped.
 */
export const INTERNAL_CLIENT_FIELDS = [
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
] as const;

/** RFC 8252 §7.3, §8.3: the loopback hosts, as WHATWG URL spells their hostnames. */
const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * oidc-provider's `extraClientMetadata.validator`, run once per internal field
 * for every client it builds (`ctx` is set only for registration requests).
 *
 * Besides refusing the internal fields, it applies the one redirect URI rule
 * oidc-provider leaves to the deployment: a client registered as `web` may use
 * plain http anywhere. OAuth 2.1 §2.3.1 and MCP authorization ("Communication
 * Security") allow http only for loopback redirect URIs, so any other http URI
 * is refused at registration, for every application type. Clients already
 * stored are not judged again (`ctx` is undefined then).
 */
export function validateClientMetadata(
  ctx: KoaContextWithOIDC | undefined,
  key: string,
  value: unknown,
  metadata: ClientMetadata,
): void {
  if (value !== undefined) {
    throw new errors.InvalidClientMetadata(`${key} is reserved for the authorization server`);
  }
  if (ctx === undefined || key !== INTERNAL_CLIENT_FIELDS[0]) return;
  for (const uri of metadata.redirect_uris ?? []) {
    const url = typeof uri === 'string' ? URL.parse(uri) : null;
    if (url?.protocol === 'http:' && !LOOPBACK_HOSTNAMES.has(url.hostname)) {
      throw new errors.InvalidRedirectUri(
        'redirect_uris may use http only on a loopback host (127.0.0.1, [::1], localhost)',
      );
    }
  }
}
