/**
 * An MCP server that speaks stdio, built with the SDK (McpServer over
 * StdioServerTransport), for the stdio bridge's tests. The proxy runs it once
 * per MCP session:
 *
 *   MCP_SERVER_TRANSPORT=stdio MCP_SERVER_RUN_COMMAND=node
 *   MCP_SERVER_RUN_ARGS_JSON='["<abs path>/stdio-fixture-server.ts"]'
 *
 * Tools: `whoami` (JSON {token, userId}: the IdP token and account id this
 * process was started with, read from MCP_AUTH_TOKEN / MCP_AUTH_USER_ID, or the
 * names in STDIO_FIXTURE_TOKEN_ENV / STDIO_FIXTURE_USER_ENV), `echo {text}`,
 * `pid` (this process's pid, for isolation and clean-up checks), `env {name}`
 * (one variable of its environment, or "(unset)"), `progress {count}` (progress
 * notifications, or log messages without a progress token, then `done <count>`),
 * `roots` (asks the client for its roots mid-call: a server→client request),
 * `exit {code}` (exits at once, as a crashing server would).
 * Reading the environment here is allowed: this is test support, not product code.
 * Only the protocol goes to stdout; anything else goes to stderr.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const tokenEnv = process.env['STDIO_FIXTURE_TOKEN_ENV'] ?? 'MCP_AUTH_TOKEN';
const userEnv = process.env['STDIO_FIXTURE_USER_ENV'] ?? 'MCP_AUTH_USER_ID';
const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });

const server = new McpServer({ name: 'stdio-fixture', version: '1.0.0' }, { capabilities: { logging: {} } });

server.registerTool('whoami', {}, () =>
  text(JSON.stringify({ token: process.env[tokenEnv] ?? null, userId: process.env[userEnv] ?? null })),
);
server.registerTool('echo', { inputSchema: { text: z.string() } }, ({ text: value }) => text(value));
server.registerTool('pid', {}, () => text(String(process.pid)));
server.registerTool('env', { inputSchema: { name: z.string() } }, ({ name }) =>
  text(process.env[name] ?? '(unset)'),
);
server.registerTool(
  'progress',
  { inputSchema: { count: z.number().int().min(0).max(1000), delayMs: z.number().int().min(0).optional() } },
  async ({ count, delayMs }, extra) => {
    const progressToken = extra._meta?.progressToken;
    for (let step = 1; step <= count && !extra.signal.aborted; step += 1) {
      if (progressToken !== undefined) {
        await extra.sendNotification({
          method: 'notifications/progress',
          params: { progressToken, progress: step, total: count, message: `step ${step}` },
        });
      } else {
        await extra.sendNotification({
          method: 'notifications/message',
          params: { level: 'info', data: `step ${step}` },
        });
      }
      await new Promise((resolve) => setTimeout(resolve, delayMs ?? 10));
    }
    return text(`done ${count}`);
  },
);
server.registerTool('roots', {}, async () => {
  const { roots } = await server.server.listRoots();
  return text(roots.map((root) => root.uri).join(' '));
});
server.registerTool('exit', { inputSchema: { code: z.number().int().min(0).max(255) } }, ({ code }) => {
  process.stderr.write(`exiting with ${code}\n`);
  process.exit(code);
});

process.stderr.write(`stdio fixture ${process.pid} started\n`);
await server.connect(new StdioServerTransport());
