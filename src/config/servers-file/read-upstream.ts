import type { McpServerRunConfig, McpStdioBridgeConfig } from '../config.ts';
import {
  environmentVariableName,
  existingDirectory,
  httpUrl,
  integerInRange,
  parseBoolean,
  parseText,
  positiveMilliseconds,
  quoteValue,
  stringArrayValue,
  stringRecordValue,
} from '../parsers/index.ts';
import type { EntryDefaults } from './entry-defaults.ts';
import { scalar, text, type Convert, type Fields } from './fields.ts';
import { fieldPath, type FileReport } from './file-report.ts';

/** Where a server's MCP requests go: an HTTP upstream (perhaps supervised) or a stdio command. */
export type Upstream =
  | { readonly transport: 'http'; readonly url: URL; readonly run: McpServerRunConfig | undefined }
  | { readonly transport: 'stdio'; readonly stdio: McpStdioBridgeConfig };

const RUN_FIELDS = ['command', 'args', 'cwd', 'env', 'startTimeoutMs', 'exitWithChild'];
const STDIO_FIELDS = [
  'command',
  'args',
  'cwd',
  'env',
  'tokenEnv',
  'userIdEnv',
  'idleTimeoutMs',
  'maxSessions',
];

/** As MCP_SERVER_RUN_ARGS_JSON: numbers and booleans are taken as text. */
const args: Convert<readonly string[]> = (value) =>
  stringArrayValue(value, 'must be a list of strings such as [server.js, --port, 3001]');

/** As MCP_SERVER_RUN_ENV_JSON: numbers and booleans are taken as text; values are never shown. */
const env: Convert<Readonly<Record<string, string>>> = (value) =>
  stringRecordValue(value, 'must be a mapping of variable names to values such as { PORT: 3001 }');

/** The fields `run` and `stdio` share: the command, run without a shell, in `cwd` (default: the file's directory). */
function readCommand(fields: Fields, directory: string) {
  return {
    command: fields.required('command', text(parseText), 'node'),
    args: fields.optional('args', args) ?? [],
    cwd: fields.optional('cwd', text(existingDirectory)) ?? directory,
    env: fields.optional('env', env) ?? {},
  };
}

function readRun(
  run: Fields,
  defaults: EntryDefaults['run'],
  directory: string,
): McpServerRunConfig | undefined {
  const { command, ...rest } = readCommand(run, directory);
  const startTimeoutMs = run.optional('startTimeoutMs', scalar(positiveMilliseconds));
  const exitWithChild = run.optional('exitWithChild', scalar(parseBoolean));
  if (command === undefined) return undefined;
  return {
    command,
    ...rest,
    startTimeoutMs: startTimeoutMs ?? defaults.startTimeoutMs,
    exitWithChild: exitWithChild ?? defaults.exitWithChild,
  };
}

function readStdio(
  stdio: Fields,
  defaults: EntryDefaults['stdio'],
  directory: string,
  report: FileReport,
): McpStdioBridgeConfig | undefined {
  const { command, ...rest } = readCommand(stdio, directory);
  const tokenEnv = stdio.optional('tokenEnv', text(environmentVariableName)) ?? defaults.tokenEnv;
  const userIdEnv = stdio.optional('userIdEnv', text(environmentVariableName)) ?? defaults.userIdEnv;
  const idleTimeoutMs = stdio.optional('idleTimeoutMs', scalar(positiveMilliseconds));
  const maxSessions = stdio.optional('maxSessions', scalar(integerInRange(1, 10_000)));
  if (tokenEnv === userIdEnv) {
    report.problem(
      fieldPath(stdio.at, 'userIdEnv'),
      `names ${quoteValue(userIdEnv)}, as tokenEnv does (the defaults are MCP_SERVER_STDIO_USER_ENV and MCP_SERVER_STDIO_TOKEN_ENV); the token and the account id need a variable each`,
    );
  }
  const overwritten = [tokenEnv, userIdEnv].filter((name) => Object.hasOwn(rest.env, name));
  if (overwritten.length > 0) {
    report.warn(
      fieldPath(stdio.at, 'env'),
      `sets ${overwritten.join(', ')}, which the proxy overwrites with each session's user`,
    );
  }
  if (command === undefined || tokenEnv === userIdEnv) return undefined;
  return {
    command,
    ...rest,
    tokenEnv,
    userIdEnv,
    idleTimeoutMs: idleTimeoutMs ?? defaults.idleTimeoutMs,
    maxSessions: maxSessions ?? defaults.maxSessions,
  };
}

/**
 * Exactly one of `url` (with an optional `run` that starts it) or `stdio`,
 * each with its MCP_SERVER_* defaults. Undefined when something is wrong
 * (every problem is reported first).
 */
export function readUpstream(
  entry: Fields,
  defaults: EntryDefaults,
  directory: string,
  report: FileReport,
): Upstream | undefined {
  const [hasUrl, hasStdio] = [entry.has('url'), entry.has('stdio')];
  if (hasUrl === hasStdio) {
    report.problem(
      entry.at,
      `has ${hasUrl ? 'both url and stdio' : 'neither url nor stdio'}; a server has exactly one: url (where it listens for Streamable HTTP, optionally with run to start it) or stdio (a command the proxy runs for each MCP session)`,
    );
  }
  if (hasStdio && entry.has('run')) {
    report.problem(
      fieldPath(entry.at, 'run'),
      'goes only with url; a stdio server names its command in stdio',
    );
  }
  const url = entry.optional('url', text(httpUrl));
  const runFields = entry.mapping('run', RUN_FIELDS);
  const run = runFields === undefined ? undefined : readRun(runFields, defaults.run, directory);
  const stdioFields = entry.mapping('stdio', STDIO_FIELDS);
  const stdio = stdioFields && readStdio(stdioFields, defaults.stdio, directory, report);
  if (hasUrl === hasStdio) return undefined;
  if (hasStdio) return stdio === undefined ? undefined : { transport: 'stdio', stdio };
  if (url === undefined || (runFields !== undefined && run === undefined)) return undefined;
  return { transport: 'http', url, run };
}
