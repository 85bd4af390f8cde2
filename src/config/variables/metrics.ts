import type { MetricsConfig } from '../config.ts';
import type { EnvironmentReader } from '../environment-reader.ts';
import { bearerSecret, integerInRange, listenHost } from '../parsers/index.ts';
import { defaultedVariable, optionalVariable, type VariableGroup } from '../variable.ts';

/** Long enough that guessing is hopeless, although /metrics is served before the rate limits. */
export const METRICS_TOKEN_MIN_LENGTH = 16;

export const MCP_AUTH_PROXY_METRICS_PORT = optionalVariable({
  name: 'MCP_AUTH_PROXY_METRICS_PORT',
  description:
    'A separate listener that serves Prometheus metrics at GET /metrics without credentials, for scrapers inside the deployment (Kubernetes); 0 picks a free port.',
  example: '9464',
  heroku: 'new',
  whenUnset: 'no metrics listener',
  parse: integerInRange(0, 65_535),
});

export const MCP_AUTH_PROXY_METRICS_HOST = defaultedVariable({
  name: 'MCP_AUTH_PROXY_METRICS_HOST',
  description:
    'The address the metrics listener binds to. The default answers only on this machine (or pod); set 0.0.0.0 (or ::) for a scraper on another host, such as Prometheus scraping the pod IP in Kubernetes, and keep that port off the public network.',
  example: '0.0.0.0',
  heroku: 'new',
  defaultRaw: '127.0.0.1',
  parse: listenHost,
});

export const MCP_AUTH_PROXY_METRICS_TOKEN = optionalVariable({
  name: 'MCP_AUTH_PROXY_METRICS_TOKEN',
  description: `Serves Prometheus metrics at GET /metrics on the public port to requests that carry this value as a bearer token (at least ${METRICS_TOKEN_MIN_LENGTH} characters), for platforms that route a single port (Heroku).`,
  example: 'q3Vb8xN2kR7tW4zY6mC9pL1sD5fH0jGa',
  secret: true,
  heroku: 'new',
  whenUnset: 'GET /metrics on the public port answers 404',
  parse: bearerSecret(METRICS_TOKEN_MIN_LENGTH),
});

export const METRICS_VARIABLES: VariableGroup = {
  title: 'Metrics',
  variables: [MCP_AUTH_PROXY_METRICS_PORT, MCP_AUTH_PROXY_METRICS_HOST, MCP_AUTH_PROXY_METRICS_TOKEN],
};

/** Undefined when neither way to reach the metrics is configured: prom-client is then never loaded. */
export function readMetrics(reader: EnvironmentReader, serverPort: number): MetricsConfig | undefined {
  const port = reader.maybe(MCP_AUTH_PROXY_METRICS_PORT);
  const host = reader.value(MCP_AUTH_PROXY_METRICS_HOST);
  const publicToken = reader.maybe(MCP_AUTH_PROXY_METRICS_TOKEN);
  if (port === undefined && reader.isSet(MCP_AUTH_PROXY_METRICS_HOST)) {
    reader.problem(
      MCP_AUTH_PROXY_METRICS_HOST,
      'MCP_AUTH_PROXY_METRICS_HOST is set but MCP_AUTH_PROXY_METRICS_PORT is not: set the port to start the metrics listener, or unset the host.',
    );
  }
  if (port !== undefined && port !== 0 && port === serverPort) {
    reader.problem(
      MCP_AUTH_PROXY_METRICS_PORT,
      `MCP_AUTH_PROXY_METRICS_PORT must differ from PORT (both are ${port}); to serve /metrics on the public port, set MCP_AUTH_PROXY_METRICS_TOKEN instead.`,
    );
  }
  if (port === undefined && publicToken === undefined) return undefined;
  return { listener: port === undefined ? undefined : { host, port }, publicToken };
}
