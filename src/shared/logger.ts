import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export interface LoggerOptions {
  level: string;
  appName: string;
  environment: string;
  /** Where lines go; tests pass a stream to read them. Defaults to stdout. */
  destination?: NodeJS.WritableStream;
}

/**
 * Query parameters and headers that carry credentials. Anything logged goes
 * through sanitizeUrl / the redaction paths so that no code, state, token,
 * secret or cookie is ever written (style.md rule 12).
 */
const SECRET_QUERY_PARAMETERS = new Set([
  'code',
  'state',
  'nonce',
  'code_verifier',
  'code_challenge',
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'client_secret',
  'client_assertion',
  'assertion',
  'session_state',
]);

const REDACTED = '[redacted]';

/** Returns the URL (absolute or path-only) with credential-bearing query values replaced. */
export function sanitizeUrl(rawUrl: string): string {
  const queryStart = rawUrl.indexOf('?');
  if (queryStart === -1) return rawUrl;
  const params = new URLSearchParams(rawUrl.slice(queryStart + 1));
  let changed = false;
  for (const name of params.keys()) {
    if (SECRET_QUERY_PARAMETERS.has(name.toLowerCase())) {
      params.set(name, REDACTED);
      changed = true;
    }
  }
  return changed ? `${rawUrl.slice(0, queryStart)}?${params.toString()}` : rawUrl;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { app: options.appName, environment: options.environment },
      timestamp: pino.stdTimeFunctions.isoTime,
      // `code` is not redacted by name: on errors it is the error code (ECONNREFUSED), and
      // authorization codes only ever travel in URLs, which go through sanitizeUrl.
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
          '*.access_token',
          '*.refresh_token',
          '*.id_token',
          '*.client_secret',
          '*.codeVerifier',
          '*.accessToken',
          '*.refreshToken',
        ],
        censor: REDACTED,
      },
    },
    options.destination ?? process.stdout,
  );
}

/** A logger that writes nothing, for tests and tools that do not need one. */
export const silentLogger: Logger = pino({ level: 'silent' });
