import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/config.ts';
import type { KeyValueStore } from '../store/index.ts';
import type { AuthorizationServer } from '../authorization-server/index.ts';
import type { Supervisor } from '../supervisor/index.ts';
import { buildApp, type AppDependencies } from './build-app.ts';

export type { AppDependencies } from './build-app.ts';

export interface App {
  readonly server: Server;
  /** The address the server listens on, e.g. http://127.0.0.1:3000. */
  readonly url: string;
  readonly store: KeyValueStore;
  readonly authorizationServer: AuthorizationServer;
  /** The supervised MCP server, when MCP_SERVER_RUN_COMMAND is set (health checks, tests). */
  readonly supervisor: Supervisor | undefined;
  /** The separate metrics listener (MCP_AUTH_PROXY_METRICS_PORT), e.g. http://127.0.0.1:9464; else undefined. */
  readonly metricsUrl: string | undefined;
  /**
   * Ends the open standalone SSE streams (GET) cleanly, and refuses new ones: the
   * first step of a graceful shutdown, since they never end by themselves.
   */
  endStandaloneStreams(): void;
  /**
   * Ends the standalone streams, stops listening, cuts open connections, stops the MCP server
   * and the metrics listener, closes the store.
   */
  close(): Promise<void>;
}

/** Builds the proxy (build-app.ts), then listens on PORT (and the metrics port). */
export async function startApp(config: Config, dependencies: AppDependencies): Promise<App> {
  const { logger } = dependencies;
  const built = await buildApp(config, dependencies);
  const { store } = built;
  const server = createServer(
    { requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 65_000 },
    (req, res) => {
      void built.serve(req, res);
    },
  );
  let metricsUrl: string | undefined;
  try {
    await listenOn(server, config.port);
    metricsUrl = await built.listenForMetrics();
  } catch (error) {
    // A port in use must not leave the MCP server child, the store connections or timers behind.
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    await built.stop();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${address.port}`;
  logger.info(
    { event: 'server.listening', port: address.port, baseUrl: config.baseUrl, store: store.kind },
    'server.listening',
  );

  let closing: Promise<void> | undefined;
  return {
    server,
    url,
    store,
    authorizationServer: built.authorizationServer,
    supervisor: built.supervisor,
    metricsUrl,
    endStandaloneStreams: built.endStandaloneStreams,
    close: () =>
      (closing ??= (async () => {
        built.endStandaloneStreams();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await built.stop();
      })()),
  };
}

function listenOn(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
