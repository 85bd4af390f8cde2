import type { RateLimitConfig } from '../config.ts';
import type { EnvironmentReader } from '../environment-reader.ts';
import { positiveInteger, positiveMilliseconds } from '../parsers/index.ts';
import { defaultedVariable, type VariableGroup } from '../variable.ts';

export const MAX_REQUESTS = defaultedVariable({
  name: 'MAX_REQUESTS',
  description:
    'How many requests one client address may make per window, on every route (discovery, registration, /auth, /token, the login pages, MCP requests without a valid access token); where a request names its client (client_id, HTTP Basic), per address and client. MCP requests with a valid access token count only against MCP_AUTH_PROXY_MCP_MAX_REQUESTS, and /healthz and /readyz are not counted.',
  example: '120',
  heroku: {
    changed:
      'the same count per address on every route, except that MCP requests with a valid access token are left to the per-grant limit, health checks are not counted, and a request that names its client is counted per address and client, so that one hosted client cannot spend the budget of every other client behind the same address; the 429 is an OAuth JSON error',
  },
  defaultRaw: '60',
  parse: positiveInteger,
});

export const MAX_REQUESTS_WINDOW = defaultedVariable({
  name: 'MAX_REQUESTS_WINDOW',
  description: 'The window of MAX_REQUESTS, in milliseconds.',
  example: '60000',
  heroku: 'same',
  defaultRaw: '60000',
  parse: positiveMilliseconds,
});

export const MCP_AUTH_PROXY_MCP_MAX_REQUESTS = defaultedVariable({
  name: 'MCP_AUTH_PROXY_MCP_MAX_REQUESTS',
  description:
    'How many requests one grant may make to the MCP endpoint per window; generous because agents send bursts of tool calls.',
  example: '600',
  heroku: 'new',
  defaultRaw: '1200',
  parse: positiveInteger,
});

export const MCP_AUTH_PROXY_MCP_WINDOW_MS = defaultedVariable({
  name: 'MCP_AUTH_PROXY_MCP_WINDOW_MS',
  description: 'The window of MCP_AUTH_PROXY_MCP_MAX_REQUESTS, in milliseconds.',
  example: '60000',
  heroku: 'new',
  defaultRaw: '60000',
  parse: positiveMilliseconds,
});

export const RATE_LIMIT_VARIABLES: VariableGroup = {
  title: 'Rate limits',
  variables: [
    MAX_REQUESTS,
    MAX_REQUESTS_WINDOW,
    MCP_AUTH_PROXY_MCP_MAX_REQUESTS,
    MCP_AUTH_PROXY_MCP_WINDOW_MS,
  ],
};

export function readRateLimit(reader: EnvironmentReader): RateLimitConfig {
  return {
    authMaxRequests: reader.value(MAX_REQUESTS),
    authWindowMs: reader.value(MAX_REQUESTS_WINDOW),
    mcpMaxRequests: reader.value(MCP_AUTH_PROXY_MCP_MAX_REQUESTS),
    mcpWindowMs: reader.value(MCP_AUTH_PROXY_MCP_WINDOW_MS),
  };
}
