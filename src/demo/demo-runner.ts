/**
 * Runs the demo for `npm run demo` (entry `run-demo.ts`, which checks the
 * Node version first) and `mcp-auth-proxy demo` (the CLI imports this module
 * and calls runDemo). Settings come from the environment through src/config
 * (PORT, NODE_ENV, LOCAL_INSECURE, LOG_LEVEL); everything else is the demo's own.
 */
import { readEnvironment } from '../config/index.ts';
import { runDemoUntilStopped, type DemoOutput } from './run-demo-until-stopped.ts';

export interface DemoRunOptions {
  /** Command-line arguments after `demo`; the demo takes none. */
  readonly args: readonly string[];
  readonly stdout: DemoOutput;
  readonly stderr: DemoOutput;
  /** Whose `.env` is read, and where `.mcp-auth-proxy/demo.sqlite` goes. */
  readonly cwd: string;
  /** The real environment; undefined means the process's own. */
  readonly processEnv: Readonly<Record<string, string | undefined>> | undefined;
}

/** sysexits.h EX_USAGE. */
const EXIT_USAGE = 64;

/**
 * Runs the demo until SIGINT or SIGTERM, which end the process.
 * @returns the exit status when the demo could not start; undefined once it runs.
 */
export async function runDemo(options: DemoRunOptions): Promise<number | undefined> {
  if (options.args.length > 0) {
    options.stderr.write(
      `The demo takes no arguments (got ${options.args.join(' ')}); set PORT to move it.\n`,
    );
    return EXIT_USAGE;
  }
  const environment = readEnvironment({
    cwd: options.cwd,
    ...(options.processEnv === undefined ? {} : { processEnv: options.processEnv }),
  });
  return await runDemoUntilStopped({
    environment,
    cwd: options.cwd,
    stdout: options.stdout,
    stderr: options.stderr,
  });
}
