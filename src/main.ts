#!/usr/bin/env node
import { startApp } from './app/start-app.ts';
import { formatProblems, loadConfig, readEnvironment } from './config/index.ts';
import { installGracefulShutdown } from './http/graceful-shutdown.ts';
import { createLogger } from './shared/logger.ts';

/**
 * The process entry: environment (and .env) -> validated Config -> the app.
 * Configuration problems are all reported at once, before anything listens.
 */
async function main(): Promise<void> {
  const cwd = process.cwd();
  const environment = readEnvironment({ cwd });
  const result = loadConfig(environment, { cwd });
  if (!result.ok) {
    process.stderr.write(formatProblems(result.problems) + '\n');
    process.exitCode = 1;
    return;
  }
  const { config } = result;
  const logger = createLogger({
    level: config.log.level,
    appName: config.log.appName,
    environment: config.log.environment,
  });
  for (const warning of result.warnings) logger.warn({ event: 'config.warning', warning }, 'config.warning');

  let shutdown: ReturnType<typeof installGracefulShutdown> | undefined;
  let app;
  try {
    app = await startApp(config, {
      logger,
      processEnv: environment,
      onChildExit: (exitCode) => {
        // MCP_SERVER_EXIT_WITH_CHILD: the platform restarts the whole process.
        if (shutdown === undefined) process.exit(exitCode);
        void shutdown.shutdown('mcp_server_exited', exitCode);
      },
    });
  } catch (error) {
    logger.fatal({ event: 'server.start_failed', err: error }, 'server.start_failed');
    process.exitCode = 1;
    return;
  }

  if (config.verifyRelease) {
    // Release phase: everything started and every dependency answered; leave cleanly.
    logger.info({ event: 'release.verified' }, 'release.verified');
    await app.close();
    process.exit(0);
  }

  const started = app;
  shutdown = installGracefulShutdown({
    server: app.server,
    graceMs: config.proxy.shutdownGraceMs,
    logger,
    onShutdown: () => started.close(),
  });
}

await main();
