import { BlockList, isIP } from 'node:net';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from '../shared/logger.ts';
import type { Observe } from '../observability/index.ts';
import { sanitizeUrl } from '../shared/logger.ts';
import { requestIdOf } from '../http-kit/request-context.ts';

/**
 * OAuth Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document;
 * MCP authorization 2025-11-25 §5.1, 2026-07-28 client-registration §1): a
 * client whose `client_id` is an https URL needs no registration; the
 * document at that URL is its registration.
 *
 * oidc-provider 9.13 implements the draft as the experimental
 * `clientIdMetadataDocument` feature, which already does what the spec asks of
 * the fetch and the document: https only, no fragment, credentials or dot
 * segments in the URL; `redirect: 'manual'` (any redirect response is refused);
 * a 2.5 s timeout; a body limit; `client_id` must equal the URL exactly; no
 * shared-secret authentication; caching by Cache-Control / Expires within
 * `cacheDuration`; and, through its own dispatcher, a refusal to connect to
 * special-use (private, loopback, link-local…) addresses, whatever a name
 * resolves to. What is added here, at its public hooks:
 * - `allowFetch` refuses, before any network traffic, URLs without a path
 *   (CIMD §3) and hosts that name a private place outright: IP literals in
 *   special-use ranges, `localhost`, and single-label names (SSRF, MCP
 *   2025-11-25 §11.6.1; security best practices §2.3.4);
 * - `fetch` gives up oidc-provider's address check only when the operator
 *   allowed private addresses (MCP_AUTH_PROXY_CIMD_ALLOW_PRIVATE_ADDRESSES,
 *   on by default with LOCAL_INSECURE), so local setups can host documents on
 *   the loopback interface.
 * The redirect URI rules for the document's `redirect_uris` are the same as
 * for registered clients (client-metadata-policy.ts).
 */

/** The draft's experimental version this configuration was written against (oidc-provider's `ack`). */
const CIMD_DRAFT_ACK = 'draft-02';
/** CIMD §6.1 suggests a small limit; 5 KiB holds every document seen in the wild (Claude's is < 1 KiB). */
export const CLIENT_METADATA_DOCUMENT_MAX_BYTES = 5 * 1024;
/** Cache bounds for fetched documents (CIMD §6.3: honour HTTP caching, within the server's own limits). */
const CACHE_MIN_SECONDS = 60;
const CACHE_MAX_SECONDS = 24 * 60 * 60;

export interface ClientIdMetadataDocumentOptions {
  /** Fetch documents from loopback and private addresses (local development only). */
  readonly allowPrivateAddresses: boolean;
  readonly logger: Logger;
  readonly observe: Observe;
}

/** RFC 6890 / IANA special-use ranges that a client_id URL may not name as a literal. */
const SPECIAL_USE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  SPECIAL_USE.addSubnet(network, prefix, 'ipv4');
}
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are matched against the IPv4 rules by BlockList itself.
for (const [network, prefix] of [
  ['::', 127],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  SPECIAL_USE.addSubnet(network, prefix, 'ipv6');
}

/** Why a client_id URL may not be fetched, or undefined when it may. */
export function refuseClientIdUrl(clientId: string, allowPrivateAddresses: boolean): string | undefined {
  const url = URL.parse(clientId);
  if (url === null || url.protocol !== 'https:') return 'the client_id URL must use https';
  if (url.pathname === '/' || url.pathname === '') return 'the client_id URL must have a path';
  if (allowPrivateAddresses) return undefined;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const family = isIP(host);
  if (family !== 0) {
    return SPECIAL_USE.check(host, family === 4 ? 'ipv4' : 'ipv6')
      ? 'the client_id URL names a private or loopback address'
      : undefined;
  }
  if (host === 'localhost' || host.endsWith('.localhost') || !host.includes('.')) {
    return 'the client_id URL names a local host';
  }
  return undefined;
}

type Features = NonNullable<Configuration['features']>;

/** oidc-provider's `features.clientIdMetadataDocument`. */
export function clientIdMetadataDocumentFeature(
  options: ClientIdMetadataDocumentOptions,
): NonNullable<Features['clientIdMetadataDocument']> {
  return {
    enabled: true,
    ack: CIMD_DRAFT_ACK,
    allowFetch: (ctx: KoaContextWithOIDC, clientId: string) => {
      const reason = refuseClientIdUrl(clientId, options.allowPrivateAddresses);
      if (reason === undefined) {
        // oidc-provider asks before each fetch of a document it has not cached: a client that
        // names itself by URL registers, in effect, when its document is first read.
        options.observe({
          type: 'client.registered',
          registration: 'metadata_document',
          clientId,
          clientName: undefined,
          request: ctx?.req,
        });
        return true;
      }
      options.logger.info(
        {
          event: 'oauth.client_metadata_document_refused',
          clientId: sanitizeUrl(clientId),
          reason,
          requestId: ctx === undefined ? undefined : requestIdOf(ctx.req),
        },
        'oauth.client_metadata_document_refused',
      );
      return false;
    },
    cacheDuration: { min: CACHE_MIN_SECONDS, max: CACHE_MAX_SECONDS },
  };
}

/** oidc-provider's `fetch`: its special-use address check stays unless private addresses are allowed. */
export function createProviderFetch(options: ClientIdMetadataDocumentOptions): Configuration['fetch'] {
  return (input, init) => {
    if (options.allowPrivateAddresses && init !== undefined) {
      const { dispatcher: _ssrfGuard, ...rest } = init as RequestInit & { dispatcher?: unknown };
      return globalThis.fetch(input, rest);
    }
    return globalThis.fetch(input, init);
  };
}
