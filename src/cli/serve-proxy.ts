import { startApp, type App } from '../app/start-app.ts';
import { installGracefulShutdown } from '../http/graceful-shutdown.ts';
import { startIdleMemoryRelease } from '../shared/idle-memory-release.ts';
import { createLogger } from '../shared/logger.ts';
import type { CliIo } from './cli-io.ts';
import { EXIT_CONFIG_INVALID, EXIT_FAILURE, EXIT_OK } from './exit-codes.ts';
import { loadCliConfig, reportConfigProblems } from './load-cli-config.ts';

/**
 * The proxy itself (`npm start`): environment and .env -> validated Config ->
 * the app. Configuration problems are all reported at once, before anything
 * listens. Resolves once the server listens; the process then lives until a
 * signal (graceful shutdown) or, in the release phase, exits by itself.
 */
export async function serveProxy(io: CliIo): Promise<number> {
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
  const idleMemory = startIdleMemoryRelease((durationMs) =>
    logger.debug({ event: 'memory.released', durationMs: Math.round(durationMs) }, 'memory.released'),
  );
  shutdown = installGracefulShutdown({
    server: app.server,
    graceMs: config.proxy.shutdownGraceMs,
    logger,
    endStandaloneStreams: () => started.endStandaloneStreams(),
    onShutdown: () => {
      idleMemory.stop();
      return started.close();
    },
    exit: io.exit,
  });
  return EXIT_OK;
}
