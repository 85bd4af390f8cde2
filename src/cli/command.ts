import type { CliIo } from './cli-io.ts';

/** One line of a command's option list in its `--help`. */
export interface OptionHelp {
  /** As typed, e.g. `--user <accountId>`. */
  readonly flag: string;
  readonly description: string;
}

/** A command of `mcp-auth-proxy`; the dispatcher handles `--help` for every one of them. */
export interface CliCommand {
  /** The words that select it, e.g. `grants revoke`. */
  readonly name: string;
  /** One line, shown in the command list. */
  readonly summary: string;
  /** The synopsis after `mcp-auth-proxy`, e.g. `grants list [--user <accountId>] [--json]`. */
  readonly usage: string;
  /** What the command does and what its exit codes mean, in a few lines. */
  readonly description: string;
  readonly options: readonly OptionHelp[];
  /** Receives the arguments after the command's words; resolves to the exit code. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** `-h` / `--help` is understood by every command, so it is listed once here. */
const HELP_OPTION: OptionHelp = { flag: '-h, --help', description: 'Show this help and exit.' };

export function renderCommandHelp(command: CliCommand): string {
  const options = [...command.options, HELP_OPTION];
  const width = Math.max(...options.map((option) => option.flag.length));
  return [
    `Usage: mcp-auth-proxy ${command.usage}`,
    '',
    command.summary,
    '',
    command.description,
    '',
    'Options:',
    ...options.map((option) => `  ${option.flag.padEnd(width)}  ${option.description}`),
    '',
    `Exit codes: 0 ok, 1 failure, 2 usage error, 3 configuration invalid.`,
    '',
  ].join('\n');
}
