import { startApp, type App } from '../app/start-app.ts';
import { formatProblems, loadConfig, type Config } from '../config/index.ts';
import { randomToken } from '../shared/crypto.ts';
import type { Logger } from '../shared/logger.ts';
import {
  DemoConfigurationError,
  demoProxyEnvironment,
  readDemoSettings,
  type DemoSettings,
} from './demo-environment.ts';
import { startDevelopmentIdp, type DevelopmentIdp } from './development-idp.ts';
import { startExampleMcpServer, type ExampleMcpServer } from './example-mcp-server.ts';

export interface StartDemoOptions {
  /** The environment the demo's few settings come from (PORT, NODE_ENV, LOCAL_INSECURE, LOG_LEVEL). */
  readonly environment: Readonly<Record<string, string | undefined>>;
  /** The working directory: the SQLite file and its generated keys go under `.mcp-auth-proxy/` here. */
  readonly cwd: string;
  /** Builds the proxy's logger once its configuration is known. */
  readonly createLogger: (config: Config) => Logger;
}

export interface Demo {
  readonly settings: DemoSettings;
  readonly config: Config;
  readonly app: App;
  /** The MCP endpoint clients connect to, e.g. http://localhost:3000/mcp. */
  readonly mcpUrl: string;
  readonly identityProvider: DevelopmentIdp;
  readonly exampleMcpServer: ExampleMcpServer;
  /** Stops the proxy, then the example MCP server and the identity provider. */
  close(): Promise<void>;
}

const DEMO_CLIENT_ID = 'mcp-auth-proxy-demo';

/**
 * Starts the development identity provider, the example MCP server and the
 * proxy in front of them, configured exactly as `npm start` would be from the
 * equivalent environment. What started is stopped again when a later step fails.
 * @throws DevelopmentIdpRefusedError, DemoConfigurationError, or the proxy's start-up error.
 */
export async function startDemo(options: StartDemoOptions): Promise<Demo> {
  const settings = readDemoSettings(options.environment, options.cwd);
  const clientSecret = randomToken();
  const started: Array<{ close(): Promise<void> }> = [];
  // Last started, first stopped; each part once, even when close is called again.
  const closeStarted = async (): Promise<void> => {
    for (let part = started.pop(); part !== undefined; part = started.pop()) await part.close();
  };
  try {
    const identityProvider = await startDevelopmentIdp({
      nodeEnv: settings.nodeEnv,
      localInsecure: settings.localInsecure,
      clientId: DEMO_CLIENT_ID,
      clientSecret,
    });
    started.push(identityProvider);
    const exampleMcpServer = await startExampleMcpServer({
      identifyUser: (token) => identityProvider.userForAccessToken(token),
    });
    started.push(exampleMcpServer);

    const environment = demoProxyEnvironment(settings, {
      identityProviderUrl: identityProvider.url,
      clientId: DEMO_CLIENT_ID,
      clientSecret,
      mcpServerUrl: exampleMcpServer.url,
    });
    const result = loadConfig(environment, { cwd: options.cwd });
    if (!result.ok) throw new DemoConfigurationError(formatProblems(result.problems));
    const { config } = result;
    identityProvider.allowRedirectUri(config.identity.redirectUri);

    const logger = options.createLogger(config);
    for (const warning of result.warnings)
      logger.warn({ event: 'config.warning', warning }, 'config.warning');
    const app = await startApp(config, { logger, processEnv: {} });
    started.push(app);

    return {
      settings,
      config,
      app,
      mcpUrl: config.servers[0].resource,
      identityProvider,
      exampleMcpServer,
      close: closeStarted,
    };
  } catch (error) {
    await closeStarted();
    throw error;
  }
}
