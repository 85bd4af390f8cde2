import { join } from 'node:path';
import { VARIABLES, type AnyVariable } from '../config/index.ts';

/** The few variables the demo takes from the environment; everything else is the demo's own. */
export interface DemoSettings {
  /** PORT (default 3000): the proxy listens here and BASE_URL is http://localhost:<port>. */
  readonly port: number;
  /** NODE_ENV as set; `production` makes the development identity provider refuse. */
  readonly nodeEnv: string | undefined;
  /** LOCAL_INSECURE, true unless set otherwise; anything but true makes it refuse. */
  readonly localInsecure: boolean;
  /** The raw LOCAL_INSECURE, handed to the proxy's configuration unchanged. */
  readonly localInsecureRaw: string;
  /** LOG_LEVEL (default `warn`, so the banner is not buried in request logs). */
  readonly logLevel: string;
}

/** What the demo started, to be named in the proxy's configuration. */
export interface DemoParts {
  readonly identityProviderUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly mcpServerUrl: string;
}

/** A setting the demo cannot run with; the message names the variable and the fix. */
export class DemoConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoConfigurationError';
  }
}

export const DEMO_DEFAULT_PORT = 3000;
/** Relative to the working directory, beside the default store of `npm start`. */
export const DEMO_SQLITE_PATH = join('.mcp-auth-proxy', 'demo.sqlite');

const blankToUndefined = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

/** Parses like the proxy itself does, so `1`, `yes` and `true` mean the same here as there. */
function parseWithRegistry(name: string, raw: string, cwd: string): unknown {
  const variable: AnyVariable | undefined = VARIABLES.find((candidate) => candidate.name === name);
  if (variable === undefined) throw new Error(`${name} is not in the configuration registry`);
  const parsed = variable.parse(raw, { cwd });
  if (!parsed.ok) throw new DemoConfigurationError(`${name} ${parsed.messages.join('; ')}`);
  return parsed.value;
}

export function readDemoSettings(
  environment: Readonly<Record<string, string | undefined>>,
  cwd: string,
): DemoSettings {
  const rawPort = blankToUndefined(environment['PORT']);
  const port = rawPort === undefined ? DEMO_DEFAULT_PORT : Number(rawPort);
  if ((rawPort !== undefined && !/^\d{1,5}$/.test(rawPort)) || port < 1 || port > 65_535) {
    throw new DemoConfigurationError(
      `PORT must be a port number from 1 to 65535 for the demo (got ${JSON.stringify(rawPort)}); BASE_URL is built from it.`,
    );
  }
  const localInsecureRaw = blankToUndefined(environment['LOCAL_INSECURE']) ?? 'true';
  return {
    port,
    nodeEnv: blankToUndefined(environment['NODE_ENV']),
    localInsecure: parseWithRegistry('LOCAL_INSECURE', localInsecureRaw, cwd) === true,
    localInsecureRaw,
    logLevel: blankToUndefined(environment['LOG_LEVEL']) ?? 'warn',
  };
}

/**
 * The proxy's environment in the demo, built from nothing but the settings
 * and the parts the demo started, so a `.env` written for a real deployment
 * (Redis, another IdP) never leaks in. Keys are generated: the signing keys
 * into the store, the encryption key beside the SQLite file.
 */
export function demoProxyEnvironment(settings: DemoSettings, parts: DemoParts): Record<string, string> {
  return {
    BASE_URL: `http://localhost:${settings.port}`,
    PORT: String(settings.port),
    LOCAL_INSECURE: settings.localInsecureRaw,
    ...(settings.nodeEnv === undefined ? {} : { NODE_ENV: settings.nodeEnv }),
    LOG_LEVEL: settings.logLevel,
    APP_NAME: 'mcp-auth-proxy-demo',
    MCP_SERVER_URL: parts.mcpServerUrl,
    MCP_AUTH_PROXY_SQLITE_PATH: DEMO_SQLITE_PATH,
    IDENTITY_SERVER_URL: parts.identityProviderUrl,
    IDENTITY_CLIENT_ID: parts.clientId,
    IDENTITY_CLIENT_SECRET: parts.clientSecret,
    // Nothing collects spans on a laptop trying the demo; tracing would only warn that no collector answers.
    OTEL_SDK_DISABLED: 'true',
  };
}
