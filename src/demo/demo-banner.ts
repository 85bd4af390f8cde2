import { EXAMPLE_TOOL_NAMES } from './example-tools.ts';

export interface DemoBannerFacts {
  readonly mcpUrl: string;
  readonly identityProviderUrl: string;
  readonly exampleMcpServerUrl: string;
  /** The SQLite file the demo keeps its clients, grants and keys in. */
  readonly storePath: string;
}

/** The Inspector's own flags (v1 and v2 alike): an ad-hoc Streamable HTTP server by URL. */
export function inspectorCommand(mcpUrl: string): string {
  return `npx @modelcontextprotocol/inspector --transport http --server-url ${mcpUrl}`;
}

/** What `npm run demo` prints once everything listens: where to connect, how, and how to stop. */
export function renderDemoBanner(facts: DemoBannerFacts): string {
  return [
    '',
    'MCP Auth Proxy demo is running.',
    '',
    `  MCP URL:             ${facts.mcpUrl}`,
    `  Identity provider:   ${facts.identityProviderUrl}  (development only: any user name signs in)`,
    `  Example MCP server:  ${facts.exampleMcpServerUrl}  (tools: ${EXAMPLE_TOOL_NAMES.join(', ')})`,
    `  Data:                ${facts.storePath}`,
    '',
    'Connect MCP Inspector (it needs Node.js 22.19 or later) in another terminal:',
    '',
    `  ${inspectorCommand(facts.mcpUrl)}`,
    '',
    'In the Inspector, click Connect, confirm the login, sign in with any user name,',
    'then run the whoami and slow_count tools. Any MCP client that speaks OAuth works the same way.',
    '',
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}
