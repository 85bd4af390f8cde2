import { connect } from 'node:net';
import type { Config } from '../../config/index.ts';
import { describeError } from '../describe-error.ts';
import { fail, pass, warn, type Finding } from '../output.ts';
import { findExecutable } from './find-executable.ts';

/** How long a TCP connection to the MCP server may take before it counts as unreachable. */
const CONNECT_TIMEOUT_MS = 3_000;
const SERVER = 'MCP server';
const COMMAND = 'MCP server command';

/**
 * Over HTTP: whether MCP_SERVER_URL accepts TCP connections, unless the proxy
 * starts the server itself (then only its command is checked). Over stdio:
 * whether the command the proxy runs for each session can be found.
 */
export async function checkMcpServer(
  config: Config,
  environment: Readonly<Record<string, string | undefined>>,
  /** The proxy's working directory: the child's when MCP_SERVER_RUN_DIR is not set. */
  workingDirectory: string,
): Promise<Finding[]> {
  const server = config.servers[0];
  if (server.transport === 'stdio') {
    const { command, cwd, env } = server.stdio;
    return [
      await checkCommand(
        command,
        env['PATH'] ?? environment['PATH'],
        cwd ?? workingDirectory,
        'for each MCP session, over stdio',
      ),
    ];
  }
  const { url, run } = server;
  const reachable = await tcpReachable(url);
  if (run === undefined) {
    return [
      reachable.ok
        ? pass(SERVER, `${url.host} accepts connections (MCP_SERVER_URL ${url.href})`)
        : fail(
            SERVER,
            `nothing accepts connections at ${url.host} (MCP_SERVER_URL ${url.href}): ${reachable.reason}`,
            'Start your MCP server, or set MCP_SERVER_URL to where it listens, or set MCP_SERVER_RUN_COMMAND so that the proxy starts it.',
          ),
    ];
  }
  const started = await checkCommand(
    run.command,
    run.env['PATH'] ?? environment['PATH'],
    run.cwd ?? workingDirectory,
    `and waits for ${url.host}`,
  );
  const port = reachable.ok
    ? warn(
        SERVER,
        `something already listens at ${url.host}: the proxy starts MCP_SERVER_RUN_COMMAND and would take that listener for the started server`,
        'Stop the other process, or give the MCP server another port in MCP_SERVER_URL and MCP_SERVER_RUN_ENV_JSON.',
      )
    : pass(
        SERVER,
        `${url.host} is free; the proxy starts the server and waits up to ${run.startTimeoutMs} ms for it`,
      );
  return [started, port];
}

async function checkCommand(
  command: string,
  searchPath: string | undefined,
  cwd: string,
  when: string,
): Promise<Finding> {
  const lookup = await findExecutable(command, searchPath, cwd);
  return lookup.found
    ? pass(COMMAND, `MCP_SERVER_RUN_COMMAND ${command} (${lookup.path}) is started by the proxy ${when}`)
    : fail(
        COMMAND,
        `MCP_SERVER_RUN_COMMAND ${command} cannot be started: ${lookup.reason}`,
        'Install it, or set MCP_SERVER_RUN_COMMAND to its absolute path. It runs without a shell: put arguments in MCP_SERVER_RUN_ARGS_JSON.',
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
