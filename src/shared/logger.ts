import { pino, type Logger as PinoLogger } from 'pino';
import { createBatchedLineWriter, type BatchedLineWriter } from './batched-line-writer.ts';

export type Logger = PinoLogger;

export interface LoggerOptions {
  level: string;
  appName: string;
  environment: string;
  /** Where lines go; tests pass a stream to read them. Defaults to stdout (file descriptor 1). */
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

/**
 * Keys whose value is censored in any object logged one level down (`{ tokens:
 * { access_token } }`, `err.accessToken`): what pino's `*.key` redact paths did.
 * Those wildcard paths made pino run its redactor over every field of every
 * line, about four times the cost of the line itself (docs/benchmarks.md), so
 * the same rule is applied here, to object fields only.
 * `code` is not among them: on errors it is the error code (ECONNREFUSED), and
 * authorization codes only ever travel in URLs, which go through sanitizeUrl.
 */
const SECRET_KEYS: ReadonlySet<string> = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'codeVerifier',
  'accessToken',
  'refreshToken',
]);

/** A copy with the secret keys censored, or undefined when the object has none. */
function censorSecretKeys(object: object): Record<string, unknown> | undefined {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(object)) {
    if (!SECRET_KEYS.has(key)) continue;
    copy ??= { ...object };
    copy[key] = REDACTED;
  }
  return copy;
}

/** Censors the secret keys of each object-valued field; `err` is censored after its serializer. */
function censorNestedSecrets(fields: Record<string, unknown>): Record<string, unknown> {
  let result = fields;
  for (const key in fields) {
    const value = fields[key];
    if (key === 'err' || value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    const censored = censorSecretKeys(value);
    if (censored === undefined) continue;
    if (result === fields) result = { ...fields };
    result[key] = censored;
  }
  return result;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { app: options.appName, environment: options.environment },
      timestamp: isoTimestamp,
      formatters: { log: censorNestedSecrets },
      serializers: {
        err: (error: Error) => {
          const serialized = pino.stdSerializers.err(error);
          return censorSecretKeys(serialized) ?? serialized;
        },
      },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
        censor: REDACTED,
      },
    },
    options.destination ?? batchedStdout(),
  );
}

/**
 * pino's isoTime, formatted once per millisecond: under load several lines
 * share a millisecond, and Date#toISOString showed in profiles of the proxy.
 */
let stampedAtMs = Number.NaN;
let stamp = '';
function isoTimestamp(): string {
  const nowMs = Date.now();
  if (nowMs !== stampedAtMs) {
    stampedAtMs = nowMs;
    stamp = `,"time":"${new Date(nowMs).toISOString()}"`;
  }
  return stamp;
}

/** Lines go to stdout in writes of at least this size (below sonic-boom's 16 KiB write cap), or every STDOUT_FLUSH_INTERVAL_MS. */
const STDOUT_BATCH_BYTES = 8192;
/** The longest a line waits in the batch: a log drain sees it this late at most. */
const STDOUT_FLUSH_INTERVAL_MS = 100;

let stdoutDestination: BatchedLineWriter | undefined;

/**
 * stdout for log lines, written in batches: process.stdout made one system call
 * per line, and on the MCP path (one line per request) that was the largest
 * cost left after token checks (docs/benchmarks.md). Synchronous writes of
 * whole batches (sonic-boom handles partial writes and EAGAIN), no worker
 * thread; what is still batched is written when the process exits, however it
 * exits short of SIGKILL.
 */
function batchedStdout(): BatchedLineWriter {
  if (stdoutDestination !== undefined) return stdoutDestination;
  const destination = createBatchedLineWriter({
    sink: pino.destination({ dest: 1, sync: true }),
    batchChars: STDOUT_BATCH_BYTES,
    flushIntervalMs: STDOUT_FLUSH_INTERVAL_MS,
  });
  process.once('exit', () => {
    try {
      destination.flushSync();
    } catch {
      // stdout is gone (EPIPE): nothing left to write to.
    }
  });
  stdoutDestination = destination;
  return destination;
}

/** A logger that writes nothing, for tests and tools that do not need one. */
export const silentLogger: Logger = pino({ level: 'silent' });
