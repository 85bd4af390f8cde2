import type { ProxyConfig } from '../config.ts';
import type { EnvironmentReader } from '../environment-reader.ts';
import { headerName, nonNegativeMilliseconds, originList, positiveInteger } from '../parsers/index.ts';
import { defaultedVariable, optionalVariable, type VariableGroup } from '../variable.ts';

export const MCP_AUTH_PROXY_MAX_BODY_BYTES = defaultedVariable({
  name: 'MCP_AUTH_PROXY_MAX_BODY_BYTES',
  description:
    'The largest request body forwarded to the MCP server; larger requests get 413 with Connection: close.',
  example: '10485760',
  heroku: { changed: 'new; the Heroku proxy cut JSON bodies at 100 kB' },
  defaultRaw: '4194304',
  parse: positiveInteger,
});

export const MCP_AUTH_PROXY_USER_ID_HEADER = defaultedVariable({
  name: 'MCP_AUTH_PROXY_USER_ID_HEADER',
  description: "The request header that carries the signed-in user's account id to the MCP server.",
  example: 'x-user-id',
  heroku: 'new',
  defaultRaw: 'x-authorization-user-id',
  parse: headerName,
});

export const MCP_AUTH_PROXY_ALLOWED_ORIGINS = optionalVariable({
  name: 'MCP_AUTH_PROXY_ALLOWED_ORIGINS',
  description:
    "Comma-separated browser origins allowed to call the MCP endpoint, in addition to BASE_URL's own origin (which is always allowed).",
  example: 'https://app.example.com,https://playground.example.com',
  heroku: 'new',
  whenUnset: "none besides BASE_URL's origin",
  parse: originList,
});

export const MCP_AUTH_PROXY_SHUTDOWN_GRACE_MS = defaultedVariable({
  name: 'MCP_AUTH_PROXY_SHUTDOWN_GRACE_MS',
  description:
    'How long requests in flight (a tool call streaming its answer included) may run on after a shutdown signal before they are closed. Idle connections and standalone SSE streams (GET), which clients resume, end at once.',
  example: '25000',
  heroku: 'new',
  defaultRaw: '10000',
  parse: nonNegativeMilliseconds,
});

export const PROXY_VARIABLES: VariableGroup = {
  title: 'MCP proxy',
  variables: [
    MCP_AUTH_PROXY_MAX_BODY_BYTES,
    MCP_AUTH_PROXY_USER_ID_HEADER,
    MCP_AUTH_PROXY_ALLOWED_ORIGINS,
    MCP_AUTH_PROXY_SHUTDOWN_GRACE_MS,
  ],
};

export function readProxy(reader: EnvironmentReader): ProxyConfig {
  return {
    maxBodyBytes: reader.value(MCP_AUTH_PROXY_MAX_BODY_BYTES),
    userIdHeader: reader.value(MCP_AUTH_PROXY_USER_ID_HEADER),
    allowedOrigins: reader.maybe(MCP_AUTH_PROXY_ALLOWED_ORIGINS) ?? [],
    shutdownGraceMs: reader.value(MCP_AUTH_PROXY_SHUTDOWN_GRACE_MS),
  };
}
