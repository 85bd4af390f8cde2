/**
 * What real MCP clients send at registration and at the authorization
 * endpoint: the one table the proxy is tested against
 * (test/e2e/client-profiles.test.ts runs every row) and that
 * `mcp-auth-proxy doctor` replays against a deployment (src/cli). Sources are
 * the sections of the project's client notes (clients.md §5) and the public
 * threads they cite. Where a client's exact payload is not public, the row
 * uses the MCP SDK's public-client defaults, which these clients are built on
 * (authorization code + refresh token, `token_endpoint_auth_method: none`).
 * Pure data: nothing here touches the network.
 */

/** RFC 7591 client metadata as a client posts it. */
export interface RegistrationMetadata {
  readonly client_name: string;
  readonly redirect_uris: readonly string[];
  readonly [field: string]: unknown;
}

/** How the client gets its client_id. */
export type ClientRegistration =
  /** Dynamic client registration (RFC 7591) at the registration endpoint. */
  | { readonly kind: 'dynamic'; readonly metadata: RegistrationMetadata }
  /**
   * A client ID metadata document: `clientId` is the https URL the client
   * really uses; `document` is what that URL serves, minus `client_id` (which
   * is always the URL itself).
   */
  | {
      readonly kind: 'metadata-document';
      readonly clientId: string;
      readonly document: RegistrationMetadata;
    };

/** The `scope` the client puts in its authorization request. */
export type RequestedScope =
  | { readonly from: 'none' }
  /** The PRM `scopes_supported` (or the 401 challenge's scope): what SDK-based clients send. */
  | { readonly from: 'resource-metadata' }
  | { readonly from: 'literal'; readonly value: string };

/** One authorization request shape of a client (a client may have several). */
export interface AuthorizationRequestShape {
  /** The redirect_uri at /auth and /token; a loopback one may use another port than registered. */
  readonly redirectUri: string;
  readonly scope: RequestedScope;
  /** RFC 8707 `resource`: the canonical MCP URL, the same with a trailing slash, or none. */
  readonly resource: 'canonical' | 'trailing-slash' | 'omitted';
}

export interface ClientProfile {
  /** Stable id, used in test names and doctor output. */
  readonly id: string;
  readonly name: string;
  /** Where the row's facts come from. */
  readonly source: string;
  readonly registration: ClientRegistration;
  readonly authorizations: readonly AuthorizationRequestShape[];
  /** Browser clients call the endpoints cross-origin from this origin (CORS). */
  readonly origin?: string;
  /** What the user of this client sees when the server refuses it. */
  readonly whenRefused: string;
}

const PUBLIC_CLIENT = {
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
} as const;

const CLAUDE_CALLBACKS = [
  'https://claude.ai/api/mcp/auth_callback',
  'https://claude.com/api/mcp/auth_callback',
] as const;

const MCP_REMOTE_REGISTRATION: RegistrationMetadata = {
  ...PUBLIC_CLIENT,
  client_name: 'MCP CLI Proxy',
  application_type: 'native',
  redirect_uris: ['http://localhost:3334/oauth/callback'],
};

export const CLIENT_PROFILES: readonly ClientProfile[] = [
  {
    id: 'claude-ai',
    name: 'Claude.ai',
    source: 'clients.md §5.1 (RevenueCat/ai-toolkit#58, PrefectHQ/fastmcp#1564, claude-ai-mcp#42, #124)',
    registration: {
      kind: 'dynamic',
      metadata: { ...PUBLIC_CLIENT, client_name: 'Claude', redirect_uris: [...CLAUDE_CALLBACKS] },
    },
    authorizations: [
      {
        redirectUri: CLAUDE_CALLBACKS[0],
        scope: { from: 'literal', value: 'claudeai' },
        resource: 'canonical',
      },
      {
        redirectUri: CLAUDE_CALLBACKS[1],
        scope: { from: 'literal', value: 'read write' },
        resource: 'trailing-slash',
      },
    ],
    whenRefused: 'Claude.ai cannot add the custom connector: no sign-in page ever opens',
  },
  {
    id: 'claude-ai-cimd',
    name: 'Claude.ai (client ID metadata document)',
    source: 'clients.md §5.1 (anthropics/claude-ai-mcp#215, obot-platform/obot#7046)',
    registration: {
      kind: 'metadata-document',
      clientId: 'https://claude.ai/oauth/mcp-oauth-client-metadata',
      document: { ...PUBLIC_CLIENT, client_name: 'Claude', redirect_uris: [...CLAUDE_CALLBACKS] },
    },
    authorizations: [{ redirectUri: CLAUDE_CALLBACKS[0], scope: { from: 'none' }, resource: 'canonical' }],
    whenRefused: 'Claude.ai cannot add the custom connector',
  },
  {
    id: 'claude-code',
    name: 'Claude Code',
    source: 'clients.md §5.2 (slackapi/slack-skills-plugin#120; scope per claude-code#4540)',
    registration: {
      kind: 'dynamic',
      metadata: {
        ...PUBLIC_CLIENT,
        client_name: 'Claude Code',
        redirect_uris: ['http://127.0.0.1:54212/callback'],
      },
    },
    authorizations: [
      { redirectUri: 'http://127.0.0.1:54212/callback', scope: { from: 'none' }, resource: 'canonical' },
    ],
    whenRefused: 'Claude Code cannot authenticate to the server',
  },
  {
    id: 'claude-code-localhost',
    name: 'Claude Code (before 2.1.229, localhost callback)',
    source: 'clients.md §5.2',
    registration: {
      kind: 'dynamic',
      metadata: {
        ...PUBLIC_CLIENT,
        client_name: 'Claude Code (localhost)',
        redirect_uris: ['http://localhost:54212/callback'],
      },
    },
    authorizations: [
      {
        redirectUri: 'http://localhost:54212/callback',
        scope: { from: 'resource-metadata' },
        resource: 'canonical',
      },
    ],
    whenRefused: 'Claude Code cannot authenticate to the server',
  },
  {
    id: 'claude-code-cimd',
    name: 'Claude Code (client ID metadata document)',
    source: 'clients.md §5.2 (claude-code#42301, better-auth#10937): port-less loopback redirect URIs',
    registration: {
      kind: 'metadata-document',
      clientId: 'https://claude.ai/oauth/claude-code-client-metadata',
      document: {
        ...PUBLIC_CLIENT,
        client_name: 'Claude Code',
        redirect_uris: ['http://localhost/callback', 'http://127.0.0.1/callback'],
      },
    },
    authorizations: [
      { redirectUri: 'http://127.0.0.1:54213/callback', scope: { from: 'none' }, resource: 'canonical' },
      { redirectUri: 'http://localhost:54214/callback', scope: { from: 'none' }, resource: 'canonical' },
    ],
    whenRefused: 'Claude Code cannot authenticate to the server',
  },
  {
    id: 'cursor',
    name: 'Cursor',
    source: 'clients.md §5.3 (github/github-mcp-server#1663, soflyy#111, erp-mafia/accounted#2225)',
    registration: {
      kind: 'dynamic',
      metadata: {
        ...PUBLIC_CLIENT,
        client_name: 'Cursor',
        application_type: 'web',
        redirect_uris: [
          'cursor://anysphere.cursor-mcp/oauth/callback',
          'https://www.cursor.com/agents/mcp/oauth/callback',
          'http://localhost:8787/callback',
        ],
      },
    },
    authorizations: [
      {
        redirectUri: 'cursor://anysphere.cursor-mcp/oauth/callback',
        scope: { from: 'resource-metadata' },
        resource: 'canonical',
      },
      {
        redirectUri: 'http://localhost:8787/callback',
        scope: { from: 'resource-metadata' },
        resource: 'canonical',
      },
    ],
    whenRefused:
      'Cursor shows an error instead of "Authenticate" (without registration: "Incompatible auth server")',
  },
  {
    id: 'vscode',
    name: 'VS Code',
    source: 'clients.md §5.4 (microsoft/vscode#278512)',
    registration: {
      kind: 'dynamic',
      metadata: {
        ...PUBLIC_CLIENT,
        client_name: 'Visual Studio Code',
        redirect_uris: [
          'https://insiders.vscode.dev/redirect',
          'https://vscode.dev/redirect',
          'http://127.0.0.1/',
          'http://127.0.0.1:33418/',
        ],
      },
    },
    authorizations: [
      // 33418 was busy: VS Code listens on a random port instead.
      { redirectUri: 'http://127.0.0.1:52345/', scope: { from: 'resource-metadata' }, resource: 'canonical' },
      {
        redirectUri: 'https://vscode.dev/redirect',
        scope: { from: 'resource-metadata' },
        resource: 'canonical',
      },
    ],
    whenRefused: 'VS Code cannot sign in on its own and asks the user for a client id and secret',
  },
  {
    id: 'chatgpt',
    name: 'ChatGPT',
    source: 'clients.md §5.5 (makeplane PR #165, android-remote-control-mcp PR #166)',
    registration: {
      kind: 'dynamic',
      metadata: {
        ...PUBLIC_CLIENT,
        client_name: 'ChatGPT',
        redirect_uris: [
          'https://chatgpt.com/connector_platform_oauth_redirect',
          'https://chatgpt.com/connector/oauth/c_7f3a9e',
        ],
      },
    },
    authorizations: [
      {
        redirectUri: 'https://chatgpt.com/connector/oauth/c_7f3a9e',
        scope: { from: 'literal', value: 'openid offline_access' },
        resource: 'canonical',
      },
      {
        redirectUri: 'https://chatgpt.com/connector_platform_oauth_redirect',
        scope: { from: 'resource-metadata' },
        resource: 'canonical',
      },
    ],
    whenRefused: 'ChatGPT cannot create the connector',
  },
  {
    id: 'mcp-remote',
    name: 'mcp-remote',
    source:
      'clients.md §5.6 (geelen/mcp-remote README); application_type observed with 0.15.1 (mcp-auth-spec A5.3)',
    registration: { kind: 'dynamic', metadata: MCP_REMOTE_REGISTRATION },
    authorizations: [
      // 3334 was busy: mcp-remote picks another port.
      {
        redirectUri: 'http://localhost:41999/oauth/callback',
        scope: { from: 'resource-metadata' },
        resource: 'canonical',
      },
    ],
    whenRefused: 'mcp-remote (used by Claude Desktop, Windsurf and older Cursor) stops at registration',
  },
  {
    id: 'mcp-inspector',
    name: 'MCP Inspector',
    source: 'clients.md §5.7; application_type observed with 2.12.0 (mcp-auth-spec A5.3)',
    origin: 'http://localhost:6274',
    registration: {
      kind: 'dynamic',
      metadata: {
        ...PUBLIC_CLIENT,
        client_name: 'MCP Inspector',
        application_type: 'native',
        redirect_uris: ['http://localhost:6274/oauth/callback', 'http://localhost:6274/oauth/callback/debug'],
      },
    },
    authorizations: [
      {
        redirectUri: 'http://localhost:6274/oauth/callback',
        scope: { from: 'resource-metadata' },
        resource: 'canonical',
      },
    ],
    whenRefused: 'the Inspector stops its OAuth flow at registration',
  },
  {
    id: 'windsurf',
    name: 'Windsurf (through mcp-remote)',
    source: 'clients.md §5.6: Windsurf reaches remote servers through mcp-remote',
    registration: { kind: 'dynamic', metadata: MCP_REMOTE_REGISTRATION },
    authorizations: [
      {
        redirectUri: 'http://localhost:3334/oauth/callback',
        scope: { from: 'resource-metadata' },
        resource: 'canonical',
      },
    ],
    whenRefused: 'Windsurf cannot connect the server',
  },
];
