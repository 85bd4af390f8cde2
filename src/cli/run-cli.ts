import { checkCommand } from './check.ts';
import type { CliIo } from './cli-io.ts';
import { clientsListCommand } from './clients.ts';
import { renderCommandHelp, type CliCommand } from './command.ts';
import { demoCommand } from './demo.ts';
import { doctorCommand } from './doctor.ts';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.ts';
import { grantsListCommand, grantsRevokeCommand } from './grants.ts';
import { initCommand } from './init.ts';
import { serveCommand } from './serve.ts';
import { UsageError } from './usage-error.ts';
import { packageVersion } from './version.ts';

export const COMMANDS: readonly CliCommand[] = [
  serveCommand,
  initCommand,
  checkCommand,
  doctorCommand,
  clientsListCommand,
  grantsListCommand,
  grantsRevokeCommand,
  demoCommand,
];

const HELP_FLAGS = new Set(['-h', '--help']);

/**
 * `mcp-auth-proxy [command] [options]`: picks the command (serve when none is
 * given), answers `--help` for every command and `--version`, and turns a
 * UsageError into exit code 2. Resolves to the exit code; `serve` resolves
 * once the server listens and the process lives on.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const help =
      error.command === undefined ? 'mcp-auth-proxy --help' : `mcp-auth-proxy ${error.command} --help`;
    io.stderr.write(`mcp-auth-proxy: ${error.message}\nRun \`${help}\` for usage.\n`);
    return EXIT_USAGE;
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) return serveCommand.run([], io);
  if (first === '--version') {
    io.stdout.write(`${await packageVersion()}\n`);
    return EXIT_OK;
  }
  if (HELP_FLAGS.has(first)) {
    io.stdout.write(await topLevelHelp());
    return EXIT_OK;
  }
  if (first === 'help') return dispatch([...rest, '--help'], io);
  if (first.startsWith('-')) throw new UsageError(`unknown option ${JSON.stringify(first)}`);

  const [second, ...afterSecond] = rest;
  const command =
    COMMANDS.find((candidate) => second !== undefined && candidate.name === `${first} ${second}`) ??
    COMMANDS.find((candidate) => candidate.name === first);
  if (command === undefined) return dispatchGroup(first, rest, io);
  const args = command.name.includes(' ') ? afterSecond : rest;
  if (wantsHelp(args)) {
    io.stdout.write(renderCommandHelp(command));
    return EXIT_OK;
  }
  return command.run(args, io);
}

/** `clients` and `grants` name groups of commands: alone or with --help they list their members. */
function dispatchGroup(group: string, rest: readonly string[], io: CliIo): number {
  const members = COMMANDS.filter((command) => command.name.startsWith(`${group} `));
  if (members.length === 0) throw new UsageError(`unknown command ${JSON.stringify(group)}`);
  const [sub] = rest;
  if (sub !== undefined && !HELP_FLAGS.has(sub)) {
    throw new UsageError(`unknown command ${JSON.stringify(`${group} ${sub}`)}`, group);
  }
  const listing = [
    `Usage: mcp-auth-proxy ${group} <command>`,
    '',
    'Commands:',
    ...commandLines(members),
    '',
  ].join('\n');
  if (sub === undefined) {
    io.stderr.write(listing);
    return EXIT_USAGE;
  }
  io.stdout.write(listing);
  return EXIT_OK;
}

/** A help flag among the options (not after `--`, where it would be an argument). */
function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => HELP_FLAGS.has(arg));
}

function commandLines(commands: readonly CliCommand[]): string[] {
  const width = Math.max(...commands.map((command) => command.name.length));
  return commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
}

async function topLevelHelp(): Promise<string> {
  return [
    `mcp-auth-proxy ${await packageVersion()}: an OAuth 2.1 authorization server, identity-provider login bridge`,
    'and authenticated streaming proxy for MCP servers.',
    '',
    'Usage: mcp-auth-proxy [command] [options]',
    '',
    'Commands:',
    ...commandLines(COMMANDS),
    '',
    'Options:',
    '  -h, --help  Show help; `mcp-auth-proxy <command> --help` for one command.',
    '  --version   Print the version.',
    '',
    'The configuration comes from the environment and the .env file in the working directory',
    '(docs/configuration.md). Exit codes: 0 ok, 1 failure, 2 usage error, 3 configuration invalid.',
    '',
  ].join('\n');
}
