import { UsageError } from './usage-error.ts';

/**
 * Runs a `node:util` parseArgs call and turns its errors (unknown option,
 * missing value, unexpected argument) into a UsageError for `command`, so the
 * dispatcher answers exit code 2 with a pointer to that command's help.
 */
export function parseOrUsage<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      throw new UsageError((error as Error).message, command);
    }
    throw error;
  }
}

/** Refuses more positional arguments than a command takes. */
export function atMostPositionals(command: string, positionals: readonly string[], max: number): void {
  if (positionals.length > max) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[max])}`, command);
  }
}
