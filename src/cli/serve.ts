import { startApp, type App } from '../app/start-app.ts';
import { installGracefulShutdown } from '../http/graceful-shutdown.ts';
import { createLogger } from '../shared/logger.ts';
import type { CliCommand } from './command.ts';
import { EXIT_CONFIG_INVALID, EXIT_FAILURE, EXIT_OK } from './exit-codes.ts';
import { loadCliConfig, reportConfigProblems } from './load-cli-config.ts';
import { atMostPositionals } from './parse-command-args.ts';
import { UsageError } from './usage-error.ts';

/**
 * The proxy itself (`npm start`): environment and .env -> validated Config ->
 * the app. Configuration problems are all reported at once, before anything
 * listens. Resolves once the server listens; the process then lives until a
 * signal (graceful shutdown) or, in the release phase, exits by itself.
 */
export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Run the proxy (the default when no command is given).',
  usage: 'serve',
  description: [
    'Reads the environment and the .env file in the working directory, starts the authorization server,',
    'the login bridge and the MCP proxy, and runs until SIGTERM or SIGINT (open requests may finish within',
    'MCP_AUTH_PROXY_SHUTDOWN_GRACE_MS). With MCP_AUTH_PROXY_VERIFY_RELEASE=true it starts, checks every',
    'dependency and exits 0 (release phase).',
  ].join('\n'),
  options: [],
  async run(args, io) {
    const flag = args.find((arg) => arg.startsWith('-'));
    if (flag !== undefined) throw new UsageError(`unknown option ${JSON.stringify(flag)}`, 'serve');
    atMostPositionals('serve', args, 0);

    const { environment, result } = loadCliConfig(io);
    if (!result.ok) {
      reportConfigProblems(io, result);
      return EXIT_CONFIG_INVALID;
    }
    const { config } = result;
    const logger = createLogger({
      level: config.log.level,
      appName: config.log.appName,
      environment: config.log.environment,
    });
    for (const warning of result.warnings) logger.warn({ event: 'config.warning', warning }, 'config.warning');

    let shutdown: ReturnType<typeof installGracefulShutdown> | undefined;
    let app: App;
    try {
      app = await startApp(config, {
        logger,
        processEnv: environment,
        onChildExit: (exitCode) => {
          // MCP_SERVER_EXIT_WITH_CHILD: the platform restarts the whole process.
          if (shutdown === undefined) io.exit(exitCode);
          else void shutdown.shutdown('mcp_server_exited', exitCode);
        },
      });
    } catch (error) {
      logger.fatal({ event: 'server.start_failed', err: error }, 'server.start_failed');
      return EXIT_FAILURE;
    }

    if (config.verifyRelease) {
      // Release phase: everything started and every dependency answered; leave cleanly.
      logger.info({ event: 'release.verified' }, 'release.verified');
      await app.close();
      io.exit(EXIT_OK);
      return EXIT_OK;
    }

    const started = app;
    shutdown = installGracefulShutdown({
      server: app.server,
      graceMs: config.proxy.shutdownGraceMs,
      logger,
      onShutdown: () => started.close(),
      exit: io.exit,
    });
    return EXIT_OK;
  },
};
