import type { LogConfig, LogLevel } from '../config.ts';
import type { EnvironmentReader } from '../environment-reader.ts';
import { oneOf, parseText } from '../parsers/index.ts';
import {
  defaultedVariable,
  optionalVariable,
  valid,
  type ValueParser,
  type VariableGroup,
} from '../variable.ts';

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The Heroku proxy logged with winston; its levels that pino lacks keep working, mapped to the nearest. */
const WINSTON_LEVELS: Readonly<Record<string, LogLevel>> = {
  http: 'debug',
  verbose: 'debug',
  silly: 'trace',
};

const parseLogLevel: ValueParser<LogLevel> = (raw, context) => {
  const mapped = WINSTON_LEVELS[raw.toLowerCase()];
  if (mapped === undefined) return oneOf(LOG_LEVELS)(raw, context);
  return valid(mapped, [`is the winston level "${raw.toLowerCase()}"; using the pino level "${mapped}"`]);
};

export const LOG_LEVEL = defaultedVariable({
  name: 'LOG_LEVEL',
  description: `The least severe log level written: ${LOG_LEVELS.join(', ')}.`,
  example: 'debug',
  heroku: {
    changed: 'pino levels; the winston levels http, verbose and silly are mapped to debug, debug and trace',
  },
  defaultRaw: 'info',
  parse: parseLogLevel,
});

export const APP_NAME = defaultedVariable({
  name: 'APP_NAME',
  description: 'The `app` field of every log line.',
  example: 'acme-mcp-proxy',
  heroku: 'same',
  defaultRaw: 'mcp-auth-proxy',
  parse: parseText,
});

export const ENVIRONMENT = optionalVariable({
  name: 'ENVIRONMENT',
  description: 'The `environment` field of every log line.',
  example: 'staging',
  heroku: 'same',
  whenUnset: 'NODE_ENV, else development',
  parse: parseText,
});

export const LOG_VARIABLES: VariableGroup = { title: 'Logs', variables: [LOG_LEVEL, APP_NAME, ENVIRONMENT] };

export function readLog(reader: EnvironmentReader, nodeEnv: string | undefined): LogConfig {
  return {
    level: reader.value(LOG_LEVEL),
    appName: reader.value(APP_NAME),
    environment: reader.maybe(ENVIRONMENT) ?? nodeEnv ?? 'development',
  };
}
