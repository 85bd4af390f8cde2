import type { CliIo, TextOutput } from './cli-io.ts';
import type { CliCommand } from './command.ts';
import { EXIT_FAILURE, EXIT_OK } from './exit-codes.ts';
import { UsageError } from './usage-error.ts';

/** What `src/demo/demo-runner.ts` is called with: the demo owns its own options. */
export interface DemoRunOptions {
  readonly args: readonly string[];
  readonly stdout: TextOutput;
  readonly stderr: TextOutput;
  readonly cwd: string;
  readonly processEnv: Readonly<Record<string, string | undefined>> | undefined;
}

type RunDemo = (options: DemoRunOptions) => Promise<number | void>;

/**
 * The demo lives in its own module, loaded only for this command, so the CLI
 * never loads the development identity provider otherwise. Its path is built
 * at run time: from src/ it is the .ts file, from dist/ the compiled .js.
 */
async function loadRunDemo(): Promise<RunDemo | undefined> {
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const url = new URL(`../demo/demo-runner${extension}`, import.meta.url);
  let module: Record<string, unknown>;
  try {
    module = (await import(url.href)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && (error as Error).message.includes('demo-runner')) return undefined;
    throw error;
  }
  const runDemo = module['runDemo'];
  return typeof runDemo === 'function' ? (runDemo as RunDemo) : undefined;
}

export const demoCommand: CliCommand = {
  name: 'demo',
  summary:
    'Run the whole flow on this machine: proxy, example MCP server and a development identity provider.',
  usage: 'demo',
  description: [
    'Starts the proxy on the embedded store with generated keys, an example MCP server and a development',
    'identity provider whose login page takes any user name (it refuses NODE_ENV=production), and prints the',
    'MCP URL and the command that connects MCP Inspector. Stop it with Ctrl-C.',
  ].join('\n'),
  options: [],
  async run(args, io: CliIo) {
    const extra = args[0];
    if (extra !== undefined)
      throw new UsageError(
        `the demo takes no arguments (got ${JSON.stringify(extra)}); set PORT to move it`,
        'demo',
      );
    const runDemo = await loadRunDemo();
    if (runDemo === undefined) {
      io.stderr.write(
        'The demo needs the demo module (src/demo/demo-runner.ts exporting runDemo), which this build lacks.\n',
      );
      return EXIT_FAILURE;
    }
    const code = await runDemo({
      args,
      stdout: io.stdout,
      stderr: io.stderr,
      cwd: io.cwd,
      processEnv: io.processEnv,
    });
    return typeof code === 'number' ? code : EXIT_OK;
  },
};
