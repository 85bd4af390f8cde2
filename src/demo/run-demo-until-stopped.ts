import { Writable } from 'node:stream';
import { installGracefulShutdown } from '../http/graceful-shutdown.ts';
import { createLogger, silentLogger, type Logger } from '../shared/logger.ts';
import { redisLocation } from '../store/index.ts';
import { renderDemoBanner } from './demo-banner.ts';
import { DemoConfigurationError } from './demo-environment.ts';
import { DevelopmentIdpRefusedError } from './development-idp-guard.ts';
import { startDemo } from './start-demo.ts';

/** Where text goes: `process.stdout`, or a test's buffer. */
export interface DemoOutput {
  write(text: string): unknown;
}

export interface RunDemoOptions {
  /** The environment (as read by src/config's readEnvironment): PORT, NODE_ENV, LOCAL_INSECURE, LOG_LEVEL. */
  readonly environment: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Where the banner goes. */
  readonly stdout: DemoOutput;
  /** Where start-up failures and the proxy's JSON log lines go. */
  readonly stderr: DemoOutput;
  /** Ends the process after Ctrl+C (default process.exit). */
  readonly exit?: (code: number) => void;
}

/** Exit status when the demo cannot start (sysexits.h EX_CONFIG for settings, 1 otherwise). */
const EXIT_CONFIGURATION = 78;
const EXIT_FAILURE = 1;

function startFailure(error: unknown, port: string | undefined): { message: string; exitCode: number } {
  if (error instanceof DevelopmentIdpRefusedError || error instanceof DemoConfigurationError) {
    return { message: error.message, exitCode: EXIT_CONFIGURATION };
  }
  if ((error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE') {
    return {
      message: `Port ${port ?? '3000'} is already in use. Stop what uses it, or pick another port: PORT=3100 npm run demo`,
      exitCode: EXIT_FAILURE,
    };
  }
  return { message: `The demo could not start: ${String(error)}`, exitCode: EXIT_FAILURE };
}

/**
 * `npm run demo` and `mcp-auth-proxy demo`: starts everything, prints where to
 * connect, and on SIGINT or SIGTERM drains the proxy, stops the rest and exits 0.
 * @returns the exit status when the demo could not start; undefined once it runs.
 */
export async function runDemoUntilStopped(options: RunDemoOptions): Promise<number | undefined> {
  let demo;
  let logger: Logger = silentLogger;
  try {
    demo = await startDemo({
      environment: options.environment,
      cwd: options.cwd,
      createLogger: (config) =>
        (logger = createLogger({
          level: config.log.level,
          appName: config.log.appName,
          environment: config.log.environment,
          destination: new Writable({
            write(chunk: Buffer, _encoding, done) {
              options.stderr.write(chunk.toString('utf8'));
              done();
            },
          }),
        })),
    });
  } catch (error) {
    const failure = startFailure(error, options.environment['PORT']);
    options.stderr.write(`${failure.message}\n`);
    return failure.exitCode;
  }

  const started = demo;
  options.stdout.write(
    renderDemoBanner({
      mcpUrl: started.mcpUrl,
      identityProviderUrl: started.identityProvider.url,
      exampleMcpServerUrl: started.exampleMcpServer.url,
      storePath:
        started.config.store.kind === 'sqlite'
          ? started.config.store.path
          : redisLocation(started.config.store.topology),
    }),
  );
  installGracefulShutdown({
    server: started.app.server,
    graceMs: started.config.proxy.shutdownGraceMs,
    logger,
    endStandaloneStreams: () => started.app.endStandaloneStreams(),
    onShutdown: async () => {
      await started.close();
      options.stdout.write('Demo stopped.\n');
    },
    ...(options.exit === undefined ? {} : { exit: options.exit }),
  });
  return undefined;
}
