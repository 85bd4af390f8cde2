import type {
  McpServerCommon,
  McpServerConfig,
  McpServerRunConfig,
  McpStdioServerConfig,
} from '../config.ts';
import type { EnvironmentReader } from '../environment-reader.ts';
import {
  environmentVariableName,
  existingDirectory,
  httpUrl,
  integerInRange,
  oneOf,
  parseBoolean,
  parseText,
  positiveMilliseconds,
  quoteValue,
  stringArrayJson,
  stringRecordJson,
  urlPath,
} from '../parsers/index.ts';
import {
  defaultedVariable,
  optionalVariable,
  requiredVariable,
  type AnyVariable,
  type VariableGroup,
} from '../variable.ts';

export const MCP_SERVER_TRANSPORT = defaultedVariable({
  name: 'MCP_SERVER_TRANSPORT',
  description:
    'How the proxy talks to the MCP server: http (it listens at MCP_SERVER_URL) or stdio (the proxy serves the MCP endpoint itself and starts MCP_SERVER_RUN_COMMAND once per MCP session, speaking stdio to it).',
  example: 'stdio',
  heroku: 'new',
  defaultRaw: 'http',
  parse: oneOf(['http', 'stdio']),
});

export const MCP_SERVER_URL = requiredVariable({
  name: 'MCP_SERVER_URL',
  description:
    'Where the MCP server listens; its path (e.g. /mcp) is also the public path of the MCP endpoint, and its query is kept when forwarding (not used with MCP_SERVER_TRANSPORT=stdio).',
  example: 'http://127.0.0.1:3001/mcp',
  heroku: {
    changed:
      'https:// upstreams work too; a URL without a path is refused; not needed with MCP_SERVER_TRANSPORT=stdio',
  },
  parse: httpUrl,
});

export const MCP_SERVER_PATH = defaultedVariable({
  name: 'MCP_SERVER_PATH',
  description:
    'With MCP_SERVER_TRANSPORT=stdio, the public path of the MCP endpoint (with http it is the path of MCP_SERVER_URL).',
  example: '/mcp',
  heroku: 'new',
  defaultRaw: '/mcp',
  parse: urlPath(),
});

export const MCP_SERVER_RUN_COMMAND = optionalVariable({
  name: 'MCP_SERVER_RUN_COMMAND',
  description:
    'The executable that starts the MCP server as a child process (run without a shell); with MCP_SERVER_TRANSPORT=stdio, one process per MCP session.',
  example: 'node',
  heroku: { changed: 'optional; without it the MCP server must already be running' },
  whenUnset: 'none (the MCP server is started separately); required with MCP_SERVER_TRANSPORT=stdio',
  parse: parseText,
});

export const MCP_SERVER_RUN_ARGS_JSON = defaultedVariable({
  name: 'MCP_SERVER_RUN_ARGS_JSON',
  description:
    'The arguments of MCP_SERVER_RUN_COMMAND, as a JSON array of strings (numbers and booleans are passed as text).',
  example: '["server.js","--port","3001"]',
  heroku: {
    changed:
      'optional, defaults to []; null, arrays and objects are refused instead of passed as "null" or "[object Object]"',
  },
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
    'Environment variables for the MCP server, as a JSON object merged over the proxy\'s own environment (with MCP_SERVER_TRANSPORT=stdio, over only PATH, HOME, USER, LOGNAME, SHELL, TERM, LANG, TZ and TMPDIR). Numbers and booleans are passed as text: {"PORT":3000} gives the child PORT=3000.',
  example: '{"PORT":"3001"}',
  // The child's environment routinely carries its own API keys.
  secret: true,
  heroku: {
    changed:
      'optional, defaults to {}; null, array and object values are refused (naming the key) instead of passed as "null" or "[object Object]"',
  },
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

export const MCP_SERVER_STDIO_TOKEN_ENV = defaultedVariable({
  name: 'MCP_SERVER_STDIO_TOKEN_ENV',
  description:
    "With MCP_SERVER_TRANSPORT=stdio, the environment variable that gives each MCP server process its user's identity provider access token.",
  example: 'GITHUB_TOKEN',
  heroku: 'new',
  defaultRaw: 'MCP_AUTH_TOKEN',
  parse: environmentVariableName,
});

export const MCP_SERVER_STDIO_USER_ENV = defaultedVariable({
  name: 'MCP_SERVER_STDIO_USER_ENV',
  description:
    "With MCP_SERVER_TRANSPORT=stdio, the environment variable that gives each MCP server process its user's account id.",
  example: 'MCP_AUTH_USER_ID',
  heroku: 'new',
  defaultRaw: 'MCP_AUTH_USER_ID',
  parse: environmentVariableName,
});

export const MCP_SERVER_STDIO_IDLE_TIMEOUT_MS = defaultedVariable({
  name: 'MCP_SERVER_STDIO_IDLE_TIMEOUT_MS',
  description:
    'With MCP_SERVER_TRANSPORT=stdio, how long an MCP session may go without an open request before it ends and its process is stopped.',
  example: '600000',
  heroku: 'new',
  defaultRaw: '900000',
  parse: positiveMilliseconds,
});

export const MCP_SERVER_STDIO_MAX_SESSIONS = defaultedVariable({
  name: 'MCP_SERVER_STDIO_MAX_SESSIONS',
  description:
    'With MCP_SERVER_TRANSPORT=stdio, how many MCP sessions (each one process) may run at once; a new session past it gets 503 with Retry-After.',
  example: '20',
  heroku: 'new',
  defaultRaw: '50',
  parse: integerInRange(1, 10_000),
});

const RUN_DETAILS = [
  MCP_SERVER_RUN_ARGS_JSON,
  MCP_SERVER_RUN_DIR,
  MCP_SERVER_RUN_ENV_JSON,
  MCP_SERVER_START_TIMEOUT_MS,
  MCP_SERVER_EXIT_WITH_CHILD,
];

/** Variables that only mean something with MCP_SERVER_TRANSPORT=stdio. */
const STDIO_ONLY = [
  MCP_SERVER_PATH,
  MCP_SERVER_STDIO_TOKEN_ENV,
  MCP_SERVER_STDIO_USER_ENV,
  MCP_SERVER_STDIO_IDLE_TIMEOUT_MS,
  MCP_SERVER_STDIO_MAX_SESSIONS,
];

/** Variables of the supervised HTTP server that the stdio bridge has no use for. */
const HTTP_ONLY = [MCP_SERVER_URL, MCP_SERVER_START_TIMEOUT_MS, MCP_SERVER_EXIT_WITH_CHILD];

export const MCP_SERVER_VARIABLES: VariableGroup = {
  title: 'MCP server',
  variables: [MCP_SERVER_TRANSPORT, MCP_SERVER_URL, MCP_SERVER_RUN_COMMAND, ...RUN_DETAILS, ...STDIO_ONLY],
};

/**
 * First path segments the authorization server, login pages and admin API own. Mounting
 * the MCP endpoint on one of them would swallow those routes.
 */
const RESERVED_SEGMENTS = [
  '.well-known',
  'admin',
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

function mountProblem(path: string, name: string): string | undefined {
  if (path === '/') {
    return `${name} must have a path such as /mcp: it is the public path of the MCP endpoint, and / would swallow every other route`;
  }
  const segments = path.split('/');
  const first = segments[1] ?? '';
  if (RESERVED_SEGMENTS.includes(first)) {
    return `${name} has the path ${quoteValue(path)}, which collides with the proxy's own /${first} routes; use a path such as /mcp`;
  }
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    return `${name} has the path ${quoteValue(path)}, which has a dot segment; use a path such as /mcp`;
  }
  return undefined;
}

function warnIgnored(reader: EnvironmentReader, variables: readonly AnyVariable[], reason: string): void {
  const ignored = variables.filter((variable) => reader.isSet(variable)).map((variable) => variable.name);
  if (ignored.length > 0) {
    reader.warn(`${ignored.join(', ')} ${ignored.length === 1 ? 'is' : 'are'} ignored ${reason}`);
  }
}

function readRun(reader: EnvironmentReader): McpServerRunConfig | undefined {
  const command = reader.maybe(MCP_SERVER_RUN_COMMAND);
  if (!reader.isSet(MCP_SERVER_RUN_COMMAND)) {
    warnIgnored(reader, RUN_DETAILS, 'because MCP_SERVER_RUN_COMMAND is not set');
    return undefined;
  }
  const args = reader.value(MCP_SERVER_RUN_ARGS_JSON);
  const cwd = reader.maybe(MCP_SERVER_RUN_DIR) ?? reader.context.cwd;
  const env = reader.value(MCP_SERVER_RUN_ENV_JSON);
  const startTimeoutMs = reader.value(MCP_SERVER_START_TIMEOUT_MS);
  const exitWithChild = reader.value(MCP_SERVER_EXIT_WITH_CHILD);
  return command === undefined ? undefined : { command, args, cwd, env, startTimeoutMs, exitWithChild };
}

/** What the MCP_SERVER_* server takes from the proxy-wide variables (scopes, step-up, rate limit, user id header). */
export type ServerDefaults = Omit<McpServerCommon, 'path' | 'resource'>;

/** Undefined when a variable it needs (or BASE_URL) is missing or invalid (a problem is recorded). */
export function readMcpServer(
  reader: EnvironmentReader,
  baseUrl: string | undefined,
  defaults: ServerDefaults,
): McpServerConfig | McpStdioServerConfig | undefined {
  if (reader.value(MCP_SERVER_TRANSPORT) === 'stdio') return readStdioServer(reader, baseUrl, defaults);
  warnIgnored(reader, STDIO_ONLY, 'unless MCP_SERVER_TRANSPORT=stdio');
  const url = reader.maybe(MCP_SERVER_URL);
  const run = readRun(reader);
  if (url === undefined) return undefined;
  const path = url.pathname;
  const problem = mountProblem(path, MCP_SERVER_URL.name);
  if (problem !== undefined) {
    reader.problem(MCP_SERVER_URL, problem);
    return undefined;
  }
  if (baseUrl === undefined) return undefined;
  return { ...defaults, transport: 'http', url, path, resource: baseUrl + path, run };
}

function readStdioServer(
  reader: EnvironmentReader,
  baseUrl: string | undefined,
  defaults: ServerDefaults,
): McpStdioServerConfig | undefined {
  warnIgnored(reader, HTTP_ONLY, 'with MCP_SERVER_TRANSPORT=stdio');
  const path = reader.value(MCP_SERVER_PATH);
  const problem = mountProblem(path, MCP_SERVER_PATH.name);
  if (problem !== undefined) reader.problem(MCP_SERVER_PATH, problem);
  const command = reader.maybe(MCP_SERVER_RUN_COMMAND);
  if (!reader.isSet(MCP_SERVER_RUN_COMMAND)) {
    reader.problem(
      MCP_SERVER_RUN_COMMAND,
      `MCP_SERVER_RUN_COMMAND is required with MCP_SERVER_TRANSPORT=stdio: it starts the MCP server the proxy runs for each MCP session. For example: MCP_SERVER_RUN_COMMAND=${MCP_SERVER_RUN_COMMAND.example}`,
    );
  }
  const args = reader.value(MCP_SERVER_RUN_ARGS_JSON);
  const cwd = reader.maybe(MCP_SERVER_RUN_DIR) ?? reader.context.cwd;
  const env = reader.value(MCP_SERVER_RUN_ENV_JSON);
  const tokenEnv = reader.value(MCP_SERVER_STDIO_TOKEN_ENV);
  const userIdEnv = reader.value(MCP_SERVER_STDIO_USER_ENV);
  if (tokenEnv === userIdEnv) {
    reader.problem(
      MCP_SERVER_STDIO_USER_ENV,
      `MCP_SERVER_STDIO_USER_ENV and MCP_SERVER_STDIO_TOKEN_ENV both name ${quoteValue(tokenEnv)}; the token and the account id need a variable each`,
    );
  }
  const overwritten = [tokenEnv, userIdEnv].filter((name) => Object.hasOwn(env, name));
  if (overwritten.length > 0) {
    reader.warn(
      `MCP_SERVER_RUN_ENV_JSON sets ${overwritten.join(', ')}, which the proxy overwrites with each session's user`,
    );
  }
  const idleTimeoutMs = reader.value(MCP_SERVER_STDIO_IDLE_TIMEOUT_MS);
  const maxSessions = reader.value(MCP_SERVER_STDIO_MAX_SESSIONS);
  if (command === undefined || problem !== undefined || tokenEnv === userIdEnv || baseUrl === undefined) {
    return undefined;
  }
  return {
    ...defaults,
    transport: 'stdio',
    path,
    resource: baseUrl + path,
    stdio: { command, args, cwd, env, tokenEnv, userIdEnv, idleTimeoutMs, maxSessions },
  };
}
