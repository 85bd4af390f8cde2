import type { McpServerConfig, McpServerRunConfig } from '../config.ts';
import type { EnvironmentReader } from '../environment-reader.ts';
import {
  existingDirectory,
  httpUrl,
  parseBoolean,
  parseText,
  positiveMilliseconds,
  quoteValue,
  stringArrayJson,
  stringRecordJson,
} from '../parsers/index.ts';
import { defaultedVariable, optionalVariable, requiredVariable, type VariableGroup } from '../variable.ts';

export const MCP_SERVER_URL = requiredVariable({
  name: 'MCP_SERVER_URL',
  description:
    'Where the MCP server listens; its path (e.g. /mcp) is also the public path of the MCP endpoint, and its query is kept when forwarding.',
  example: 'http://127.0.0.1:3001/mcp',
  heroku: { changed: 'https:// upstreams work too; a URL without a path is refused' },
  parse: httpUrl,
});

export const MCP_SERVER_RUN_COMMAND = optionalVariable({
  name: 'MCP_SERVER_RUN_COMMAND',
  description: 'The executable that starts the MCP server as a child process (run without a shell).',
  example: 'node',
  heroku: { changed: 'optional; without it the MCP server must already be running' },
  whenUnset: 'none (the MCP server is started separately)',
  parse: parseText,
});

export const MCP_SERVER_RUN_ARGS_JSON = defaultedVariable({
  name: 'MCP_SERVER_RUN_ARGS_JSON',
  description: 'The arguments of MCP_SERVER_RUN_COMMAND, as a JSON array of strings.',
  example: '["server.js","--port","3001"]',
  heroku: { changed: 'optional, defaults to []' },
  defaultRaw: '[]',
  parse: stringArrayJson,
});

export const MCP_SERVER_RUN_DIR = optionalVariable({
  name: 'MCP_SERVER_RUN_DIR',
  description: 'The working directory of the MCP server process; it must exist.',
  example: '/app/mcp-server',
  heroku: { changed: 'optional, defaults to the working directory; must exist' },
  whenUnset: 'the working directory',
  parse: existingDirectory,
});

export const MCP_SERVER_RUN_ENV_JSON = defaultedVariable({
  name: 'MCP_SERVER_RUN_ENV_JSON',
  description:
    "Environment variables for the MCP server, as a JSON object of strings merged over the proxy's own environment.",
  example: '{"PORT":"3001"}',
  // The child's environment routinely carries its own API keys.
  secret: true,
  heroku: { changed: 'optional, defaults to {}; non-string values are refused' },
  defaultRaw: '{}',
  parse: stringRecordJson(true),
});

export const MCP_SERVER_START_TIMEOUT_MS = defaultedVariable({
  name: 'MCP_SERVER_START_TIMEOUT_MS',
  description: "How long to wait for the MCP server's port to accept connections after starting it.",
  example: '60000',
  heroku: 'new',
  defaultRaw: '30000',
  parse: positiveMilliseconds,
});

export const MCP_SERVER_EXIT_WITH_CHILD = defaultedVariable({
  name: 'MCP_SERVER_EXIT_WITH_CHILD',
  description: "Exit with the MCP server's status when it stops, instead of restarting it with backoff.",
  example: 'true',
  heroku: 'new',
  defaultRaw: 'false',
  parse: parseBoolean,
});

const RUN_DETAILS = [
  MCP_SERVER_RUN_ARGS_JSON,
  MCP_SERVER_RUN_DIR,
  MCP_SERVER_RUN_ENV_JSON,
  MCP_SERVER_START_TIMEOUT_MS,
  MCP_SERVER_EXIT_WITH_CHILD,
];

export const MCP_SERVER_VARIABLES: VariableGroup = {
  title: 'MCP server',
  variables: [MCP_SERVER_URL, MCP_SERVER_RUN_COMMAND, ...RUN_DETAILS],
};

/**
 * First path segments the authorization server and login pages own. Mounting
 * the MCP endpoint on one of them would swallow those routes.
 */
const RESERVED_SEGMENTS = [
  '.well-known',
  'auth',
  'device',
  'interaction',
  'jwks',
  'me',
  'reg',
  'request',
  'session',
  'token',
];

function mountProblem(path: string): string | undefined {
  if (path === '/') {
    return 'MCP_SERVER_URL must have a path such as /mcp: it is the public path of the MCP endpoint, and / would swallow every other route';
  }
  const first = path.split('/')[1] ?? '';
  if (RESERVED_SEGMENTS.includes(first)) {
    return `MCP_SERVER_URL has the path ${quoteValue(path)}, which collides with the proxy's own /${first} routes; use a path such as /mcp`;
  }
  return undefined;
}

function readRun(reader: EnvironmentReader): McpServerRunConfig | undefined {
  const command = reader.maybe(MCP_SERVER_RUN_COMMAND);
  if (!reader.isSet(MCP_SERVER_RUN_COMMAND)) {
    const ignored = RUN_DETAILS.filter((variable) => reader.isSet(variable)).map((variable) => variable.name);
    if (ignored.length > 0) {
      reader.warn(
        `${ignored.join(', ')} ${ignored.length === 1 ? 'is' : 'are'} ignored because MCP_SERVER_RUN_COMMAND is not set`,
      );
    }
    return undefined;
  }
  const args = reader.value(MCP_SERVER_RUN_ARGS_JSON);
  const cwd = reader.maybe(MCP_SERVER_RUN_DIR) ?? reader.context.cwd;
  const env = reader.value(MCP_SERVER_RUN_ENV_JSON);
  const startTimeoutMs = reader.value(MCP_SERVER_START_TIMEOUT_MS);
  const exitWithChild = reader.value(MCP_SERVER_EXIT_WITH_CHILD);
  return command === undefined ? undefined : { command, args, cwd, env, startTimeoutMs, exitWithChild };
}

/** Undefined when MCP_SERVER_URL or BASE_URL is missing or invalid (a problem is recorded). */
export function readMcpServer(
  reader: EnvironmentReader,
  baseUrl: string | undefined,
): McpServerConfig | undefined {
  const url = reader.maybe(MCP_SERVER_URL);
  const run = readRun(reader);
  if (url === undefined) return undefined;
  const path = url.pathname;
  const problem = mountProblem(path);
  if (problem !== undefined) {
    reader.problem(MCP_SERVER_URL, problem);
    return undefined;
  }
  if (baseUrl === undefined) return undefined;
  return { url, path, resource: baseUrl + path, run };
}
