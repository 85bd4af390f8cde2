/** A wrong invocation: printed with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  /** The command whose help to point at, e.g. `grants revoke`; undefined for the top level. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}
