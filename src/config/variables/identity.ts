import type { IdentityConfig } from '../config.ts';
import type { EnvironmentReader } from '../environment-reader.ts';
import {
  httpUrl,
  identityMetadataFile,
  parseScopeList,
  parseText,
  positiveMilliseconds,
  quoteValue,
  urlPath,
} from '../parsers/index.ts';
import { defaultedVariable, optionalVariable, requiredVariable, type VariableGroup } from '../variable.ts';

const ONE_OF_SERVER = 'one of IDENTITY_SERVER_URL and IDENTITY_SERVER_METADATA_FILE is required';

export const IDENTITY_SERVER_URL = optionalVariable({
  name: 'IDENTITY_SERVER_URL',
  description:
    "The identity provider's issuer URL, used for OpenID Connect discovery, on the login confirmation page and for branding.",
  example: 'https://id.heroku.com',
  heroku: 'same',
  whenUnset: ONE_OF_SERVER,
  parse: httpUrl,
});

export const IDENTITY_SERVER_METADATA_FILE = optionalVariable({
  name: 'IDENTITY_SERVER_METADATA_FILE',
  description:
    "A JSON file of the identity provider's metadata (issuer, authorization_endpoint, token_endpoint, ...) that replaces discovery; resolved against the working directory.",
  example: './identity-metadata.json',
  heroku: {
    changed:
      'checked at start: the file must exist and hold issuer, authorization_endpoint and token_endpoint',
  },
  whenUnset: ONE_OF_SERVER,
  parse: identityMetadataFile,
});

export const IDENTITY_CLIENT_ID = requiredVariable({
  name: 'IDENTITY_CLIENT_ID',
  description: "The proxy's client id at the identity provider.",
  example: '01234567-89ab-cdef-0123-456789abcdef',
  heroku: 'same',
  parse: parseText,
});

export const IDENTITY_CLIENT_SECRET = optionalVariable({
  name: 'IDENTITY_CLIENT_SECRET',
  description: "The proxy's client secret at the identity provider (sent with HTTP Basic authentication).",
  example: '<client secret from the identity provider>',
  secret: true,
  heroku: 'same',
  whenUnset: 'none (a public client)',
  parse: parseText,
});

export const IDENTITY_SCOPE = defaultedVariable({
  name: 'IDENTITY_SCOPE',
  description: 'The scopes requested from the identity provider, separated by spaces or commas.',
  example: 'global',
  heroku: 'same',
  defaultRaw: 'openid profile email',
  parse: parseScopeList,
});

export const IDENTITY_CALLBACK_PATH = defaultedVariable({
  name: 'IDENTITY_CALLBACK_PATH',
  description:
    'The path of the redirect URI registered at the identity provider; the redirect URI is BASE_URL followed by this path.',
  example: '/interaction/identity/callback',
  heroku: 'same',
  defaultRaw: '/interaction/identity/callback',
  parse: urlPath(),
});

export const IDENTITY_UNIQUE_CALLBACK_PATH = defaultedVariable({
  name: 'IDENTITY_UNIQUE_CALLBACK_PATH',
  description:
    'The internal second hop after the identity provider callback, scoped to one login so its cookie applies; must contain :uid.',
  example: '/interaction/:uid/identity/callback',
  heroku: 'same',
  defaultRaw: '/interaction/:uid/identity/callback',
  parse: urlPath(':uid'),
});

export const IDENTITY_TIMEOUT_MS = defaultedVariable({
  name: 'IDENTITY_TIMEOUT_MS',
  description: 'The time limit for each call to the identity provider (discovery, code exchange, refresh).',
  example: '5000',
  heroku: 'new',
  defaultRaw: '10000',
  parse: positiveMilliseconds,
});

export const IDENTITY_VARIABLES: VariableGroup = {
  title: 'Identity provider',
  variables: [
    IDENTITY_SERVER_URL,
    IDENTITY_SERVER_METADATA_FILE,
    IDENTITY_CLIENT_ID,
    IDENTITY_CLIENT_SECRET,
    IDENTITY_SCOPE,
    IDENTITY_CALLBACK_PATH,
    IDENTITY_UNIQUE_CALLBACK_PATH,
    IDENTITY_TIMEOUT_MS,
  ],
};

/** Issuer identifiers compare as strings (RFC 8414 §3.3); only a trailing slash is forgiven here. */
const sameIssuer = (left: string, right: string): boolean =>
  left.replace(/\/+$/, '') === right.replace(/\/+$/, '');

/** Undefined when a required part is missing or invalid, or BASE_URL is (a problem is recorded). */
export function readIdentity(
  reader: EnvironmentReader,
  baseUrl: string | undefined,
): IdentityConfig | undefined {
  const serverUrl = reader.maybe(IDENTITY_SERVER_URL);
  const metadata = reader.maybe(IDENTITY_SERVER_METADATA_FILE);
  if (!reader.isSet(IDENTITY_SERVER_URL) && !reader.isSet(IDENTITY_SERVER_METADATA_FILE)) {
    reader.problem(
      IDENTITY_SERVER_URL,
      'IDENTITY_SERVER_URL or IDENTITY_SERVER_METADATA_FILE must be set: the issuer URL of the identity provider (for discovery), or a JSON file of its metadata.',
    );
  }
  if (serverUrl !== undefined && metadata !== undefined && !sameIssuer(serverUrl.href, metadata.issuer)) {
    reader.warn(
      `IDENTITY_SERVER_URL (${serverUrl.href}) differs from the issuer in IDENTITY_SERVER_METADATA_FILE (${quoteValue(metadata.issuer)}); the file's endpoints are used`,
    );
  }
  const clientId = reader.maybe(IDENTITY_CLIENT_ID);
  const clientSecret = reader.maybe(IDENTITY_CLIENT_SECRET);
  const scopes = reader.value(IDENTITY_SCOPE);
  const callbackPath = reader.value(IDENTITY_CALLBACK_PATH);
  const uniqueCallbackPath = reader.value(IDENTITY_UNIQUE_CALLBACK_PATH);
  const timeoutMs = reader.value(IDENTITY_TIMEOUT_MS);
  if (
    clientId === undefined ||
    baseUrl === undefined ||
    (serverUrl === undefined && metadata === undefined)
  ) {
    return undefined;
  }
  return {
    serverUrl,
    metadataFile: metadata?.path,
    clientId,
    clientSecret,
    scopes,
    callbackPath,
    uniqueCallbackPath,
    redirectUri: baseUrl + callbackPath,
    timeoutMs,
  };
}
