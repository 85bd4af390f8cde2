import { connect } from 'node:net';
import type { Config, McpServer } from '../../config/index.ts';
import { describeError } from '../describe-error.ts';
import { fail, pass, warn, type Finding } from '../output.ts';
import { findExecutable } from './find-executable.ts';

/** How long a TCP connection to the MCP server may take before it counts as unreachable. */
const CONNECT_TIMEOUT_MS = 3_000;
/**
 * How the findings of one server name it and the settings to fix: the
 * MCP_SERVER_* variables for the one server of the environment, the fields of
 * its entry for a server of MCP_AUTH_PROXY_SERVERS_FILE.
 */
interface Wording {
  readonly server: string;
  readonly command: string;
  readonly url: string;
  readonly runCommand: string;
  readonly runArgs: string;
  readonly runEnv: string;
  readonly setRun: string;
}

const ENVIRONMENT_WORDING: Wording = {
  server: 'MCP server',
  command: 'MCP server command',
  url: 'MCP_SERVER_URL',
  runCommand: 'MCP_SERVER_RUN_COMMAND',
  runArgs: 'MCP_SERVER_RUN_ARGS_JSON',
  runEnv: 'MCP_SERVER_RUN_ENV_JSON',
  setRun: 'set MCP_SERVER_URL to where it listens, or set MCP_SERVER_RUN_COMMAND so that the proxy starts it',
};

function fileWording(server: McpServer, index: number, file: string): Wording {
  const entry = `servers[${index}]`;
  const field = server.transport === 'stdio' ? 'stdio' : 'run';
  return {
    server: `MCP server ${server.id}`,
    command: `MCP server command ${server.id}`,
    url: `${entry}.url`,
    runCommand: `${entry}.${field}.command`,
    runArgs: `${entry}.${field}.args`,
    runEnv: `${entry}.run.env`,
    setRun: `correct ${entry}.url in ${file}, or give it a run command so that the proxy starts it`,
  };
}

/** Every MCP server, side by side: one finding (or two, for a supervised one) per server, named by its id. */
export async function checkMcpServers(
  config: Config,
  environment: Readonly<Record<string, string | undefined>>,
  /** The proxy's working directory: the child's when MCP_SERVER_RUN_DIR is not set. */
  workingDirectory: string,
): Promise<Finding[]> {
  const { serversFile } = config;
  const checks = config.servers.map((server, index) =>
    checkMcpServer(
      server,
      serversFile === undefined ? ENVIRONMENT_WORDING : fileWording(server, index, serversFile),
      environment,
      workingDirectory,
    ),
  );
  return (await Promise.all(checks)).flat();
}

/**
 * Over HTTP: whether the server's URL accepts TCP connections, unless the
 * proxy starts the server itself (then only its command is checked). Over
 * stdio: whether the command the proxy runs for each session can be found.
 */
async function checkMcpServer(
  server: McpServer,
  words: Wording,
  environment: Readonly<Record<string, string | undefined>>,
  workingDirectory: string,
): Promise<Finding[]> {
  if (server.transport === 'stdio') {
    const { command, cwd, env } = server.stdio;
    const when = 'for each MCP session, over stdio';
    return [
      await checkCommand(command, env['PATH'] ?? environment['PATH'], cwd ?? workingDirectory, when, words),
    ];
  }
  const { url, run } = server;
  const reachable = await tcpReachable(url);
  if (run === undefined) {
    return [
      reachable.ok
        ? pass(words.server, `${url.host} accepts connections (${words.url} ${url.href})`)
        : fail(
            words.server,
            `nothing accepts connections at ${url.host} (${words.url} ${url.href}): ${reachable.reason}`,
            `Start your MCP server, or ${words.setRun}.`,
          ),
    ];
  }
  const started = await checkCommand(
    run.command,
    run.env['PATH'] ?? environment['PATH'],
    run.cwd ?? workingDirectory,
    `and waits for ${url.host}`,
    words,
  );
  const port = reachable.ok
    ? warn(
        words.server,
        `something already listens at ${url.host}: the proxy starts ${words.runCommand} and would take that listener for the started server`,
        `Stop the other process, or give the MCP server another port in ${words.url} and ${words.runEnv}.`,
      )
    : pass(
        words.server,
        `${url.host} is free; the proxy starts the server and waits up to ${run.startTimeoutMs} ms for it`,
      );
  return [started, port];
}

async function checkCommand(
  command: string,
  searchPath: string | undefined,
  cwd: string,
  when: string,
  words: Wording,
): Promise<Finding> {
  const lookup = await findExecutable(command, searchPath, cwd);
  return lookup.found
    ? pass(words.command, `${words.runCommand} ${command} (${lookup.path}) is started by the proxy ${when}`)
    : fail(
        words.command,
        `${words.runCommand} ${command} cannot be started: ${lookup.reason}`,
        `Install it, or set ${words.runCommand} to its absolute path. It runs without a shell: put arguments in ${words.runArgs}.`,
      );
}

type Reachability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

function defaultPort(url: URL): number {
  return url.protocol === 'https:' ? 443 : 80;
}

function tcpReachable(url: URL): Promise<Reachability> {
  return new Promise((resolve) => {
    const socket = connect({
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port === '' ? defaultPort(url) : Number(url.port),
      timeout: CONNECT_TIMEOUT_MS,
    });
    const finish = (result: Reachability) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => finish({ ok: true }));
    socket.once('timeout', () => finish({ ok: false, reason: `no answer within ${CONNECT_TIMEOUT_MS} ms` }));
    socket.once('error', (error) => finish({ ok: false, reason: describeError(error) }));
  });
}
