/**
 * The MCP authorization and transport requirements that apply to this proxy,
 * one entry per row of the project's checklist (mcp-auth-spec.md, Part A; the
 * id is the row number). Tests cite the ids they prove, in a comment
 * (`// req: A6.3, A6.4`) or in the test name (`[A6.3]`);
 * test/unit/requirements.test.ts fails when a requirement is cited by no test,
 * or a test cites an id that is not here.
 *
 * Revisions: 03 = 2025-03-26, 06 = 2025-06-18, 11 = 2025-11-25, 26 = 2026-07-28.
 */

export type Revision = '03' | '06' | '11' | '26';
export type Level = 'MUST' | 'MUST NOT' | 'SHOULD' | 'SHOULD NOT' | 'MAY';

export interface Requirement {
  readonly id: string;
  /** Where the spec says it (the checklist's references, shortened). */
  readonly section: string;
  /** The strongest level in the row that falls on the proxy. */
  readonly level: Level;
  readonly revisions: readonly Revision[];
  /** What the proxy does about it, as its tests prove. */
  readonly behaviour: string;
  /** Set when part of the row is knowingly not met; says which part and why. */
  readonly partial?: string;
}

const ALL: readonly Revision[] = ['03', '06', '11', '26'];
const SINCE_06: readonly Revision[] = ['06', '11', '26'];
const SINCE_11: readonly Revision[] = ['11', '26'];

export const REQUIREMENTS: readonly Requirement[] = [
  // A1. Protected Resource Metadata (RFC 9728)
  {
    id: 'A1.1',
    section: '[11] §3, §4.1; RFC 9728',
    level: 'MUST',
    revisions: SINCE_06,
    behaviour: 'Serves RFC 9728 protected resource metadata.',
  },
  {
    id: 'A1.2',
    section: '[11] §4.1',
    level: 'MUST',
    revisions: SINCE_06,
    behaviour: 'authorization_servers names exactly this proxy, spelled as its issuer.',
  },
  {
    id: 'A1.3',
    section: '[06] §2.3.1; [11] §4.2',
    level: 'MUST',
    revisions: SINCE_06,
    behaviour:
      'Gives the PRM URL in every 401 challenge and serves it at the root and path-suffixed well-known URLs.',
  },
  {
    id: 'A1.4',
    section: 'RFC 9728 §3.1–§3.2',
    level: 'MUST',
    revisions: SINCE_06,
    behaviour: 'The path-suffixed URL follows RFC 9728 §3.1 for any mount path and answers 200 JSON.',
  },
  {
    id: 'A1.5',
    section: 'RFC 9728 §3.3; [11] §8.1',
    level: 'MUST',
    revisions: SINCE_06,
    behaviour: 'resource is exactly the MCP endpoint URL.',
  },
  {
    id: 'A1.6',
    section: '[11] §6; RFC 9728 §2',
    level: 'SHOULD',
    revisions: SINCE_11,
    behaviour:
      'scopes_supported lists the minimal scopes: PROVIDER_SCOPE without offline_access and without the scopes only step-up grants.',
  },
  {
    id: 'A1.7',
    section: '[26] §10',
    level: 'SHOULD NOT',
    revisions: ['26'],
    behaviour: 'offline_access appears neither in the PRM nor in any challenge.',
  },
  {
    id: 'A1.8',
    section: '[03] Server Metadata Discovery, Fallbacks',
    level: 'SHOULD',
    revisions: ['03'],
    behaviour: 'AS metadata at the origin root, and /authorize, /token, /register at the root.',
  },
  // A2. 401, 403 and WWW-Authenticate
  {
    id: 'A2.1',
    section: '[11] §9.2',
    level: 'MUST',
    revisions: ALL,
    behaviour: 'Missing, invalid, expired or revoked tokens get 401.',
  },
  {
    id: 'A2.2',
    section: '[11] §10',
    level: 'MUST',
    revisions: ALL,
    behaviour: '401 for authentication, 403 for scope and origin refusals, 400 for malformed requests.',
  },
  {
    id: 'A2.3',
    section: '[11] §4.2; RFC 6750 §3.1',
    level: 'MUST',
    revisions: SINCE_11,
    behaviour:
      '401 carries Bearer resource_metadata and scope; error="invalid_token" only when a token was sent.',
  },
  {
    id: 'A2.5',
    section: '[11] §10.1.1',
    level: 'SHOULD',
    revisions: SINCE_11,
    behaviour:
      'With MCP_AUTH_PROXY_SCOPE_RULES, an operation the token does not cover gets 403 insufficient_scope with scope and resource_metadata, on the HTTP proxy and the stdio bridge; upstream 403s pass through.',
  },
  {
    id: 'A2.6',
    section: '[11] §10.1.1; [26] §11.1.1–§11.1.2',
    level: 'MUST',
    revisions: SINCE_11,
    behaviour: 'One challenge with every needed scope plus the granted ones, honouring scope hierarchies.',
  },
  {
    id: 'A2.7',
    section: '[11] §9.1',
    level: 'MUST',
    revisions: ALL,
    behaviour: 'Tokens are read from the Authorization header only; ?access_token= is ignored.',
  },
  {
    id: 'A2.8',
    section: 'practice (SDK discovery)',
    level: 'SHOULD',
    revisions: ALL,
    behaviour: 'CORS on discovery, registration, token and MCP endpoints for browser clients.',
  },
  // A3. Token validation, audience, no passthrough
  {
    id: 'A3.1',
    section: '[11] §9.2; OAuth 2.1 §5.2',
    level: 'MUST',
    revisions: ALL,
    behaviour: 'Every MCP request is checked against the token store (existence, expiry, revocation).',
  },
  {
    id: 'A3.2',
    section: '[11] §9.2, §11.1; RFC 8707 §2',
    level: 'MUST',
    revisions: SINCE_06,
    behaviour: 'Tokens are issued for, and accepted only with, the MCP resource as audience.',
  },
  {
    id: 'A3.3',
    section: '[11] §9.2',
    level: 'MUST',
    revisions: SINCE_06,
    behaviour: 'Only tokens this proxy issued for its resource are accepted; IdP tokens are refused.',
  },
  {
    id: 'A3.4',
    section: '[11] §11.8; BP §2.2.2',
    level: 'MUST NOT',
    revisions: SINCE_06,
    behaviour: 'The client token never goes upstream; the user’s IdP token does.',
  },
  {
    id: 'A3.5',
    section: '[03] Third-Party Authorization Flow',
    level: 'MUST',
    revisions: ['03'],
    behaviour: 'Grant ↔ IdP token mapping; IdP refresh; a refused IdP refresh revokes the grant.',
  },
  {
    id: 'A3.6',
    section: '[11] §11.2',
    level: 'MUST',
    revisions: ALL,
    behaviour: 'Tokens are stored hashed or sealed and never logged; access tokens are short-lived.',
  },
  {
    id: 'A3.7',
    section: 'BP [11] §2.4.4',
    level: 'MUST',
    revisions: SINCE_06,
    behaviour:
      'Every request is authenticated; a session id is never a credential, and a session answers only the user who opened it (404 to anyone else).',
  },
  // A4. AS metadata discovery
  {
    id: 'A4.1',
    section: '[03] Server Metadata Discovery (Headers)',
    level: 'MUST',
    revisions: ['03'],
    behaviour: 'RFC 8414 metadata plus the default paths; MCP-Protocol-Version accepted and CORS-allowed.',
  },
  {
    id: 'A4.2',
    section: '[06] §2.2',
    level: 'MUST',
    revisions: ['06'],
    behaviour: 'RFC 8414 metadata at /.well-known/oauth-authorization-server.',
  },
  {
    id: 'A4.3',
    section: '[11] §3 item 5',
    level: 'MUST',
    revisions: SINCE_11,
    behaviour: 'RFC 8414 and OpenID discovery serve one document.',
  },
  {
    id: 'A4.4',
    section: '[11] §4.3',
    level: 'MUST',
    revisions: SINCE_11,
    behaviour: 'The issuer is the bare origin, so the first well-known URL clients probe answers.',
  },
  {
    id: 'A4.5',
    section: 'RFC 8414 §3.3; [26] discovery §3',
    level: 'MUST',
    revisions: ALL,
    behaviour: 'issuer is BASE_URL exactly, the same string as the PRM authorization_servers entry.',
  },
  {
    id: 'A4.6',
    section: '[11] §5.1.4, §11.4; [26] index §7.1',
    level: 'MUST',
    revisions: ALL,
    behaviour:
      'Metadata lists code, S256, the grants, auth methods, registration, CIMD support, scopes with offline_access, revocation and iss support.',
  },
  // A5. Client registration: DCR and CIMD
  {
    id: 'A5.2',
    section: '[11] §5.3; RFC 7591',
    level: 'SHOULD',
    revisions: ALL,
    behaviour:
      'Dynamic registration for every client profile; lost registrations are recovered through invalid_client.',
  },
  {
    id: 'A5.3',
    section: '[26] client-reg §3.1',
    level: 'SHOULD',
    revisions: ['26'],
    behaviour:
      'application_type is honoured; loopback redirects of native clients match any port; web clients with device redirect URIs are treated as native.',
  },
  {
    id: 'A5.4',
    section: '[11] §5.1',
    level: 'SHOULD',
    revisions: SINCE_11,
    behaviour: 'https client_ids are resolved as client ID metadata documents, advertised in the metadata.',
  },
  {
    id: 'A5.5',
    section: '[11] §5.1.1',
    level: 'MUST',
    revisions: SINCE_11,
    behaviour:
      'The document must be JSON with client_id equal to its URL and redirect_uris; the request’s redirect_uri must be listed; it is cached per HTTP headers.',
  },
  {
    id: 'A5.6',
    section: '[11] §11.6',
    level: 'MUST',
    revisions: SINCE_11,
    behaviour:
      'SSRF limits (no private addresses, no redirects, size and time limits); the confirmation page shows the document’s domain and redirect hosts, and warns for localhost-only clients.',
  },
  {
    id: 'A5.7',
    section: '[26] client-reg §4',
    level: 'MUST',
    revisions: ['26'],
    behaviour: 'The issuer stays BASE_URL across restarts and store loss, so client bindings hold.',
  },
  // A6. Authorization endpoint
  {
    id: 'A6.1',
    section: '[11] §3 item 1',
    level: 'MUST',
    revisions: ALL,
    behaviour: 'OAuth 2.1 for public (none) and confidential (client_secret_basic/post) clients.',
  },
  {
    id: 'A6.2',
    section: '[11] §11.3',
    level: 'MUST',
    revisions: ALL,
    behaviour:
      'BASE_URL must be https unless LOCAL_INSECURE; plain http requests are redirected or refused; client_id document URLs must be https.',
  },
  {
    id: 'A6.3',
    section: '[11] §11.4',
    level: 'MUST',
    revisions: ALL,
    behaviour: 'PKCE S256 required; plain and missing challenges refused; the verifier is checked.',
  },
  {
    id: 'A6.4',
    section: '[11] §11.3',
    level: 'MUST',
    revisions: ALL,
    behaviour: 'Redirect URIs are https, loopback http or private-use schemes; other http is refused.',
  },
  {
    id: 'A6.5',
    section: '[11] §11.5; RFC 8252 §7.3',
    level: 'MUST',
    revisions: ALL,
    behaviour:
      'Exact redirect URI match, any port on loopback; a bad redirect_uri gets a page, never a redirect.',
  },
  {
    id: 'A6.6',
    section: '[11] §11.5',
    level: 'MUST',
    revisions: SINCE_06,
    behaviour: 'The person confirms each new client, seeing its redirect hosts, before any redirect.',
  },
  {
    id: 'A6.7',
    section: '[11] §11.5',
    level: 'SHOULD',
    revisions: SINCE_06,
    behaviour: 'state comes back unchanged, on success and on error.',
  },
  {
    id: 'A6.8',
    section: '[26] index §7.1; RFC 9207',
    level: 'SHOULD',
    revisions: ['26'],
    behaviour: 'iss in every authorization response, equal to the issuer, advertised.',
  },
  {
    id: 'A6.9',
    section: '[11] §8; RFC 8707',
    level: 'MUST',
    revisions: SINCE_06,
    behaviour: 'resource accepted (trailing slash, case), defaulted when absent, invalid_target otherwise.',
  },
  {
    id: 'A6.10',
    section: '[11] §6',
    level: 'SHOULD',
    revisions: SINCE_11,
    behaviour: 'Absent or unknown scopes get the default scope instead of an error.',
  },
  // A7. Token endpoint and refresh
  {
    id: 'A7.1',
    section: 'OAuth 2.1 §4.1.3, §7.5',
    level: 'MUST',
    revisions: ALL,
    behaviour:
      'Codes are single-use (replay revokes), short-lived and bound to client, redirect_uri, PKCE and resource.',
  },
  {
    id: 'A7.2',
    section: 'OAuth 2.1 §3.2.3',
    level: 'MUST',
    revisions: ALL,
    behaviour: 'Token responses are 200 JSON with Cache-Control: no-store, access_token and token_type.',
  },
  {
    id: 'A7.3',
    section: 'OAuth 2.1 §4.3.1; RFC 9700 §4.14.2',
    level: 'MUST',
    revisions: ALL,
    behaviour:
      'Public clients’ refresh tokens rotate; the previous one works for a short grace; later reuse revokes the grant, for as long as the spent token is remembered (MCP_AUTH_PROXY_REFRESH_TOKEN_REUSE_DETECTION_SECONDS, a day by default); after that it is refused as unknown.',
  },
  {
    id: 'A7.4',
    section: '[26] index §10; RFC 6749 §6',
    level: 'MUST NOT',
    revisions: ['26'],
    behaviour: 'offline_access in the AS metadata; refresh tokens without it; a refresh cannot widen scope.',
  },
  {
    id: 'A7.5',
    section: 'typescript-sdk#2255; SEP-2350',
    level: 'SHOULD',
    revisions: SINCE_11,
    behaviour:
      'SDK 1.x clients, which refresh on a step-up challenge, get invalid_grant for that one refresh and authorize again for the challenged scopes; SDK 2.x clients step up directly.',
  },
  // A8. Confused deputy: per-client consent
  {
    id: 'A8.1',
    section: '[11] §11.7',
    level: 'MUST',
    revisions: SINCE_06,
    behaviour: 'Consent for each client before the upstream IdP is contacted.',
  },
  {
    id: 'A8.2',
    section: 'BP §2.1.5.2 Per-Client Consent Storage',
    level: 'MUST',
    revisions: SINCE_06,
    behaviour:
      'Approved clients are remembered per browser, per client id, checked before the upstream flow.',
  },
  {
    id: 'A8.3',
    section: 'BP §2.1.5.2 Consent UI',
    level: 'MUST',
    revisions: SINCE_06,
    behaviour:
      'The page names the client, its redirect URIs and scopes, has CSRF protection and refuses framing.',
  },
  {
    id: 'A8.4',
    section: 'BP §2.1.5.2 Consent Cookie Security',
    level: 'MUST',
    revisions: SINCE_06,
    behaviour: '__Host- prefixed, Secure, HttpOnly, SameSite=Lax, signed cookie bound to client ids.',
  },
  {
    id: 'A8.5',
    section: 'BP §2.1.5.2 Redirect URI Validation',
    level: 'MUST',
    revisions: SINCE_06,
    behaviour: 'Registered redirect URIs match exactly (loopback port excepted).',
  },
  {
    id: 'A8.6',
    section: 'BP §2.1.5.2 OAuth State Parameter Validation',
    level: 'MUST',
    revisions: SINCE_06,
    behaviour: 'Upstream state is random, stored only after consent, single-use, checked exactly.',
  },
  // A9. Streamable HTTP passthrough
  {
    id: 'A9.1',
    section: '[11] transports §2; [26] §7.1',
    level: 'MUST',
    revisions: ALL,
    behaviour: 'Every method is forwarded; upstream 405s pass through.',
  },
  {
    id: 'A9.2',
    section: '[11] §2.1',
    level: 'MUST',
    revisions: ALL,
    behaviour: 'Bodies are forwarded byte for byte, whatever their shape.',
  },
  {
    id: 'A9.3',
    section: '[11] §2.1 items 4–5',
    level: 'MUST',
    revisions: ALL,
    behaviour: '202, 204 and 4xx answers pass through unchanged.',
  },
  {
    id: 'A9.4',
    section: '[11] §2.1 item 6, §2.2; [26] §3',
    level: 'MUST',
    revisions: ALL,
    behaviour: 'SSE is streamed unbuffered, with X-Accel-Buffering: no and no idle timeout.',
  },
  {
    id: 'A9.5',
    section: '[11] §2.2',
    level: 'MUST',
    revisions: ['03', '06', '11'],
    behaviour: 'GET streams and the server’s 405/409 pass through.',
  },
  {
    id: 'A9.6',
    section: '[11] §2.4',
    level: 'SHOULD',
    revisions: ['03', '06', '11'],
    behaviour: 'Last-Event-ID is forwarded.',
  },
  {
    id: 'A9.7',
    section: '[11] §2.5',
    level: 'MUST',
    revisions: ['03', '06', '11'],
    behaviour: 'Mcp-Session-Id goes both ways; the server’s 404 for an ended session passes through.',
  },
  {
    id: 'A9.8',
    section: '[11] §2.7; [26] §6.1',
    level: 'MUST',
    revisions: SINCE_06,
    behaviour: 'MCP-Protocol-Version is forwarded and the server’s 400 bodies are not rewritten.',
  },
  {
    id: 'A9.9',
    section: '[26] §6.2–§6.5',
    level: 'MUST',
    revisions: ['26'],
    behaviour:
      'Mcp-Method, Mcp-Name and Mcp-Param-* are forwarded unchanged; where scope rules read the body, Mcp-Method and Mcp-Name that disagree with it get 400.',
  },
  {
    id: 'A9.10',
    section: '[11] transports §2.0.1; [26] streamable-http §1',
    level: 'MUST',
    revisions: ALL,
    behaviour:
      'A present Origin outside BASE_URL’s and MCP_AUTH_PROXY_ALLOWED_ORIGINS gets 403; locally, so does a foreign Host.',
  },
  {
    id: 'A9.11',
    section: '[26] §5',
    level: 'MUST',
    revisions: ['26'],
    behaviour: 'A client that goes away aborts the upstream request.',
  },
];

/** Rows of the checklist that fall on clients, or are notes: nothing for the proxy to prove. */
export const NOT_APPLICABLE: ReadonlyArray<{ readonly id: string; readonly reason: string }> = [
  { id: 'A2.4', reason: 'informative: clients treat the challenge as authoritative' },
  { id: 'A5.1', reason: 'the order in which clients pick a registration method' },
  { id: 'A8.7', reason: 'a note: the vulnerable combination that A8.1–A8.6 rule out' },
  {
    id: 'A8.8',
    reason:
      'the proxy never needs upstream authorization during an MCP call: the upstream login happens inside /authorize, and a dead upstream grant answers 401 so the client authorizes again',
  },
];
