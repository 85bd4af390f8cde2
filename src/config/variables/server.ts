import type { EnvironmentReader } from '../environment-reader.ts';
import { httpOrigin, integerInRange, parseBoolean, parseText } from '../parsers/index.ts';
import { defaultedVariable, optionalVariable, requiredVariable, type VariableGroup } from '../variable.ts';

export const BASE_URL = requiredVariable({
  name: 'BASE_URL',
  description:
    'The public origin of the proxy (scheme, host and optional port, no path): the OAuth issuer and the prefix of every public URL.',
  example: 'https://mcp.example.com',
  heroku: {
    changed: 'a trailing slash is dropped; a path, query, or http:// without LOCAL_INSECURE=true is refused',
  },
  parse: httpOrigin,
});

export const PORT = defaultedVariable({
  name: 'PORT',
  description: 'The TCP port the proxy listens on (Heroku sets it); 0 picks a free port.',
  example: '8080',
  heroku: { changed: 'defaults to 3000 instead of being required' },
  defaultRaw: '3000',
  parse: integerInRange(0, 65_535),
});

export const LOCAL_INSECURE = defaultedVariable({
  name: 'LOCAL_INSECURE',
  description:
    'For local development only: allow an http:// BASE_URL, trust no forwarded headers and drop the Secure flag from cookies.',
  example: 'true',
  heroku: { changed: 'also accepts 1/0 and yes/no; any other value is refused instead of meaning false' },
  defaultRaw: 'false',
  parse: parseBoolean,
});

export const NODE_ENV = optionalVariable({
  name: 'NODE_ENV',
  description:
    'The Node.js environment name and the default log environment; with `production`, the development identity provider of demo mode refuses to start.',
  example: 'production',
  heroku: {
    changed:
      '`test` no longer keeps rate-limit counts in memory; error pages never show stack traces, whatever the value',
  },
  parse: parseText,
});

export const MCP_AUTH_PROXY_VERIFY_RELEASE = defaultedVariable({
  name: 'MCP_AUTH_PROXY_VERIFY_RELEASE',
  description: 'Release-phase check: start, check the dependencies, then exit (0 when healthy).',
  example: 'true',
  heroku: { changed: 'dependencies such as the store are checked before exiting' },
  defaultRaw: 'false',
  parse: parseBoolean,
});

export const SERVER_VARIABLES: VariableGroup = {
  title: 'Server',
  variables: [BASE_URL, PORT, LOCAL_INSECURE, NODE_ENV, MCP_AUTH_PROXY_VERIFY_RELEASE],
};

export interface ServerSection {
  /** BASE_URL's origin (no trailing slash); undefined when missing or invalid (a problem is recorded). */
  readonly baseUrl: string | undefined;
  readonly port: number;
  readonly localInsecure: boolean;
  readonly nodeEnv: string | undefined;
  readonly verifyRelease: boolean;
}

export function readServer(reader: EnvironmentReader): ServerSection {
  const localInsecure = reader.value(LOCAL_INSECURE);
  const nodeEnv = reader.maybe(NODE_ENV);
  let baseUrl = reader.maybe(BASE_URL);
  // Tokens, codes and session cookies cross this origin: plain http exposes them
  // to anyone on the path (OAuth 2.1 §1.5, RFC 9700 §2.6).
  if (baseUrl?.protocol === 'http:' && !localInsecure) {
    reader.problem(
      BASE_URL,
      `BASE_URL must use https:// (got ${baseUrl.origin}): tokens and session cookies travel over it. For local development set LOCAL_INSECURE=true to allow http://.`,
    );
    baseUrl = undefined;
  }
  if (localInsecure && nodeEnv === 'production') {
    reader.warn(
      'LOCAL_INSECURE=true while NODE_ENV=production: forwarded headers are not trusted and cookies are not Secure',
    );
  }
  return {
    baseUrl: baseUrl?.origin,
    port: reader.value(PORT),
    localInsecure,
    nodeEnv,
    verifyRelease: reader.value(MCP_AUTH_PROXY_VERIFY_RELEASE),
  };
}
