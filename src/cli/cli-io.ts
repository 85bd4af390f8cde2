/** Where a command writes text; `process.stdout` and a test's string buffer both fit. */
export interface TextOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
}

/**
 * Everything a command touches outside itself, injected so that tests run
 * commands in-process with their own environment, working directory and
 * output, and the real entry passes the process's.
 */
export interface CliIo {
  readonly stdout: TextOutput;
  readonly stderr: TextOutput;
  /** Read by `init` prompts only, and only when it is a TTY. */
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean | undefined };
  /** The directory whose `.env` is read (and written by `init`); relative paths resolve against it. */
  readonly cwd: string;
  /** The real environment laid over `.env`; undefined means the process's own (read in src/config only). */
  readonly processEnv?: Readonly<Record<string, string | undefined>> | undefined;
  /** Ends the process: serve's release phase and MCP_SERVER_EXIT_WITH_CHILD. */
  readonly exit: (code: number) => void;
}
