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
 * for every client it builds (`ctx` is set only for registration requests),
 * before oidc-provider validates the metadata itself, on an object whose
 * changes oidc-provider keeps.
 *
 * Besides refusing the internal fields, it applies the one redirect URI rule
 * oidc-provider leaves to the deployment: a client registered as `web` may use
 * plain http anywhere. OAuth 2.1 §2.3.1 and MCP authorization ("Communication
 * Security") allow http only for loopback redirect URIs, so any other http URI
 * is refused, for every application type, at registration and in client ID
 * metadata documents (whose `client_id` is their https URL). Clients already
 * stored are not judged again.
 *
 * It drops the registered `scope` (see below), clears the default
 * `response_types` of clients that never use the authorization endpoint
 * (device-flow clients, RFC 8628), and treats a `web` client
 * whose redirect URIs show it runs on the user's device (a private-use
 * scheme, or http on loopback) as `native`.
 * Cursor registers `application_type: web` with `cursor://…` and
 * `http://localhost:…` (clients.md §5.3): oidc-provider would refuse the
 * scheme for `web`, and match the loopback port exactly, where RFC 8252 §7.3
 * (which is about exactly such apps) allows any port.
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
  if (key !== INTERNAL_CLIENT_FIELDS[0]) return;
  // A registered `scope` would become an allow-list (oidc-provider refuses any other scope at /auth):
  // the scope SDK clients register is the minimal one they first saw, so step-up could never widen
  // it, and unknown scopes (`claudeai`) would fail registration. RFC 7591 §2 lets the server
  // replace it: scopes are governed by PROVIDER_SCOPE and the user's confirmation instead.
  delete metadata.scope;
  // RFC 7591 §2: response_types defaults to `code`, which is for the authorization endpoint, and with
  // it oidc-provider demands redirect URIs. A client that registers neither the authorization_code
  // nor the implicit grant (RFC 8628: a device that cannot open a browser) never goes there.
  if (
    Array.isArray(metadata.grant_types) &&
    !metadata.grant_types.includes('authorization_code') &&
    !metadata.grant_types.includes('implicit')
  ) {
    metadata.response_types = [];
  }
  // The validator runs before oidc-provider checks types: a malformed list is left to it (a 400).
  if (!Array.isArray(metadata.redirect_uris)) return;
  const redirectUris = metadata.redirect_uris.map((uri: unknown) =>
    typeof uri === 'string' ? URL.parse(uri) : null,
  );
  if (metadata.application_type === 'web' && runsOnDevice(redirectUris)) {
    metadata.application_type = 'native';
  }
  const judged = ctx !== undefined || isClientIdUrl(metadata.client_id);
  if (!judged) return;
  for (const url of redirectUris) {
    if (url?.protocol === 'http:' && !LOOPBACK_HOSTNAMES.has(url.hostname)) {
      throw new errors.InvalidRedirectUri(
        'redirect_uris may use http only on a loopback host (127.0.0.1, [::1], localhost)',
      );
    }
  }
}

/** A private-use scheme or a loopback http URI, and no https loopback URI (which `native` refuses). */
function runsOnDevice(urls: ReadonlyArray<URL | null>): boolean {
  let onDevice = false;
  for (const url of urls) {
    if (url === null) return false;
    const loopback = LOOPBACK_HOSTNAMES.has(url.hostname);
    if (url.protocol === 'https:' && loopback) return false;
    if ((url.protocol === 'http:' && loopback) || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      onDevice = true;
    }
  }
  return onDevice;
}

/** A client ID metadata document's client: its client_id is an https URL (DCR ids never are). */
function isClientIdUrl(clientId: unknown): boolean {
  return typeof clientId === 'string' && clientId.startsWith('https://');
}
