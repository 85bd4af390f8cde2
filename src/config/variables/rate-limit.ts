import type { RateLimitConfig } from '../config.ts';
import type { EnvironmentReader } from '../environment-reader.ts';
import { positiveInteger, positiveMilliseconds } from '../parsers/index.ts';
import { defaultedVariable, type VariableGroup } from '../variable.ts';

export const MAX_REQUESTS = defaultedVariable({
  name: 'MAX_REQUESTS',
  description:
    'How many requests one client address may make to the authorization and login endpoints per window.',
  example: '120',
  heroku: 'same',
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
